/**
 * Fine-tuning from the app, and the history of decisions with undo and redo. Fine-tuning is the same function as
 * `facet finetune` (people/fineTune.ts); the faces it moved into named persons are returned for review.
 */
import { rollbackAdapter, currentModels } from '../../people/adapterStore.ts';
import { fineTune } from '../../people/fineTune.ts';
import { listHistory, redoDecisions, undoDecisions, type HistoryItem } from '../../people/history.ts';
import type { ApiRequest, ApiResponse, HistoryEntry } from '../contract.ts';
import type { ApiContext } from './context.ts';

/** Who each face belongs to now: faceId -> personId (faces of no person are left out). */
function personOfFaces(ctx: ApiContext): Map<number, number> {
  const owners = new Map<number, number>();
  for (const face of ctx.store.faces.list()) if (face.personId !== null) owners.set(face.id, face.personId);
  return owners;
}

export function runFineTune(ctx: ApiContext, { force }: ApiRequest<'learn.finetune'>): ApiResponse<'learn.finetune'> {
  const before = personOfFaces(ctx);
  const report = fineTune(ctx.store, { force: force === true });
  ctx.invalidateVectors();
  const movedIntoPersons: ApiResponse<'learn.finetune'>['movedIntoPersons'] = [];
  if (report.status === 'applied') {
    for (const [faceId, personId] of personOfFaces(ctx)) {
      if (before.get(faceId) === personId) continue;
      movedIntoPersons.push({ faceId, personId, personName: ctx.store.persons.get(personId)?.name ?? null });
    }
  }
  const heldOut = report.heldOut ? { base: report.heldOut.base.accuracy, adapted: report.heldOut.adapted.accuracy } : null;
  return {
    status: report.status, reason: report.reason, forced: force === true && report.status === 'applied' && !report.wouldApply,
    embedderId: currentModels(ctx.store).current, heldOut, movedIntoPersons,
  };
}

export function runRollback(ctx: ApiContext): ApiResponse<'learn.rollback'> {
  const report = rollbackAdapter(ctx.store);
  ctx.invalidateVectors();
  return { status: report.status, reason: report.reason };
}

const toEntry = (item: HistoryItem): HistoryEntry => ({ ...item, kind: item.kind as HistoryEntry['kind'] });

export function history(ctx: ApiContext, { limit }: ApiRequest<'history.list'>): ApiResponse<'history.list'> {
  return { entries: listHistory(ctx.store, limit ?? 100).map(toEntry) };
}

export function undo(ctx: ApiContext, { count }: ApiRequest<'history.undo'>): ApiResponse<'history.undo'> {
  const undone = undoDecisions(ctx.store, count ?? 1).map(toEntry);
  ctx.invalidateVectors();
  return { undone };
}

export function redo(ctx: ApiContext, { count }: ApiRequest<'history.redo'>): ApiResponse<'history.redo'> {
  const redone = redoDecisions(ctx.store, count ?? 1).map(toEntry);
  ctx.invalidateVectors();
  return { redone };
}
