/**
 * The user's decisions on single faces: "not this person", move to a person, assign by name, and the
 * unsorted queue ("is this X?") that offers each unassigned face its nearest named person.
 */
import type { ApiRequest, ApiResponse, Suggestion } from '../contract.ts';
import { RequestError } from '../errors.ts';
import type { ApiContext } from './context.ts';
import { requirePerson } from './people.ts';
import { centroids, nearestCentroid, rowOfFace } from './similarity.ts';

export function requireFaces(ctx: ApiContext, faceIds: readonly number[], field = 'faceIds'): void {
  faceIds.forEach((faceId, i) => {
    if (!ctx.store.faces.get(faceId)) throw new RequestError(field === 'faceId' ? field : `${field}[${i}]`, `there is no face ${faceId}`);
  });
}

export function notThisPerson(ctx: ApiContext, { faceIds, personId }: ApiRequest<'faces.notThisPerson'>): ApiResponse<'faces.notThisPerson'> {
  const { store } = ctx;
  return store.transaction(() => {
    requirePerson(ctx, personId);
    requireFaces(ctx, faceIds);
    // Faces the user had put with this person go back to clustering (not to "nobody"): the user said
    // who the face is not, not that it is no one.
    const wereUsers = faceIds.filter((faceId) => {
      const assignment = store.assignments.get(faceId);
      return assignment?.source === 'user' && assignment.personId === personId;
    });
    for (const faceId of faceIds) store.constraints.add(faceId, personId, 'not');
    store.assignments.releaseToAuto(wereUsers);
    return { changed: faceIds.length };
  });
}

export function moveFaces(ctx: ApiContext, { faceIds, personId }: ApiRequest<'faces.move'>): ApiResponse<'faces.move'> {
  return ctx.store.transaction(() => {
    requirePerson(ctx, personId);
    requireFaces(ctx, faceIds);
    ctx.store.assignments.assignByUser(faceIds, personId);
    return { changed: faceIds.length };
  });
}

export function assignFaces(ctx: ApiContext, { faceIds, name }: ApiRequest<'faces.assign'>): ApiResponse<'faces.assign'> {
  const { store } = ctx;
  return store.transaction(() => {
    requireFaces(ctx, faceIds);
    if (name === null) {
      store.assignments.assignByUser(faceIds, null);
      return { personId: null, created: false };
    }
    const existing = store.persons.findByName(name);
    const person = existing ?? store.persons.create({ name });
    store.assignments.assignByUser(faceIds, person.id);
    return { personId: person.id, created: existing === undefined };
  });
}

export function suggestions(ctx: ApiContext, { limit }: ApiRequest<'unsorted.suggestions'>): ApiResponse<'unsorted.suggestions'> {
  const { store } = ctx;
  const set = ctx.vectors();
  const visibleNamed = new Map(store.persons.list().filter((p) => p.name !== null).map((p) => [p.id, p.name!]));
  const groups = new Map<number, number[]>();
  const unsorted: Array<{ faceId: number; photoId: number }> = [];
  for (const face of store.faces.list()) {
    if (face.personId !== null) {
      if (!visibleNamed.has(face.personId)) continue;
      const group = groups.get(face.personId) ?? [];
      group.push(face.id);
      groups.set(face.personId, group);
    } else if (face.assignedBy !== 'user') {
      unsorted.push({ faceId: face.id, photoId: face.photoId });
    }
  }
  const forbidden = new Map<number, Set<number>>();
  for (const c of store.constraints.listAll()) {
    if (c.kind !== 'not') continue;
    const set = forbidden.get(c.faceId) ?? new Set<number>();
    set.add(c.personId);
    forbidden.set(c.faceId, set);
  }
  const centres = centroids(set, groups);
  const found: Suggestion[] = [];
  for (const { faceId, photoId } of unsorted) {
    const row = rowOfFace(set.faceIds, faceId);
    if (row < 0) continue;
    const nearest = nearestCentroid(set.vectors, row * set.dimensions, centres, forbidden.get(faceId));
    if (!nearest) continue;
    found.push({ faceId, photoId, personId: nearest.key, personName: visibleNamed.get(nearest.key)!, distance: nearest.distance });
  }
  found.sort((a, b) => a.distance - b.distance || a.faceId - b.faceId);
  return { suggestions: found.slice(0, limit ?? 50), unsorted: unsorted.length };
}

export function confirmSuggestion(ctx: ApiContext, { faceId, personId }: ApiRequest<'unsorted.confirm'>): ApiResponse<'unsorted.confirm'> {
  requireFaces(ctx, [faceId], 'faceId');
  moveFaces(ctx, { faceIds: [faceId], personId });
  return { ok: true };
}

export function rejectSuggestion(ctx: ApiContext, { faceId, personId }: ApiRequest<'unsorted.reject'>): ApiResponse<'unsorted.reject'> {
  requireFaces(ctx, [faceId], 'faceId');
  notThisPerson(ctx, { faceIds: [faceId], personId });
  return { ok: true };
}
