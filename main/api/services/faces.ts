/**
 * The user's decisions on single faces ("not this person", move to a person, assign by name) and the review
 * queue ("is this X?"), over the people layer, which journals each decision (history, undo).
 */
import { assignFaces as assign, moveFaces as move, rejectFaces } from '../../people/decisions.ts';
import { reviewQueue } from '../../people/reviewQueue.ts';
import type { ApiRequest, ApiResponse } from '../contract.ts';
import type { ApiContext } from './context.ts';

export function notThisPerson(ctx: ApiContext, { faceIds, personId }: ApiRequest<'faces.notThisPerson'>): ApiResponse<'faces.notThisPerson'> {
  return { changed: rejectFaces(ctx.store, faceIds, personId) };
}

export function moveFaces(ctx: ApiContext, { faceIds, personId }: ApiRequest<'faces.move'>): ApiResponse<'faces.move'> {
  return { changed: move(ctx.store, faceIds, personId) };
}

export function assignFaces(ctx: ApiContext, { faceIds, name }: ApiRequest<'faces.assign'>): ApiResponse<'faces.assign'> {
  return assign(ctx.store, faceIds, name);
}

export function suggestions(ctx: ApiContext, { limit }: ApiRequest<'unsorted.suggestions'>): ApiResponse<'unsorted.suggestions'> {
  const queue = reviewQueue(ctx.store, { limit: limit ?? 50, modelId: ctx.embedderId() });
  return { suggestions: queue.questions, unsorted: queue.unsorted };
}

/** The faces one answer settles: the question's group, always including the face shown. */
const answered = (faceId: number, faceIds: number[] | undefined) => [...new Set([faceId, ...(faceIds ?? [])])];

export function confirmSuggestion(ctx: ApiContext, { faceId, personId, faceIds }: ApiRequest<'unsorted.confirm'>): ApiResponse<'unsorted.confirm'> {
  move(ctx.store, answered(faceId, faceIds), personId, 'confirm');
  return { ok: true };
}

export function rejectSuggestion(ctx: ApiContext, { faceId, personId, faceIds }: ApiRequest<'unsorted.reject'>): ApiResponse<'unsorted.reject'> {
  rejectFaces(ctx.store, answered(faceId, faceIds), personId);
  return { ok: true };
}
