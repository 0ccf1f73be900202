/**
 * The history of the user's decisions, its undo and redo: `facet history`, `facet undo [N]`, `facet redo [N]`, the
 * app's History panel, Ctrl+Z and Ctrl+Shift+Z. Undo reverts the last N decisions not yet undone, newest first,
 * each exactly (store.journal replays what reverses it), in one transaction: either all N are undone or none. Redo
 * makes them again until the user makes a new decision.
 */
import type { DecisionRecord, Store } from '../store/index.ts';
import { DecisionError } from './decisions.ts';

export interface HistoryItem {
  id: number;
  at: number;
  kind: string;
  summary: string;
  faceIds: number[];
  undone: boolean;
  undoable: boolean;
  redoable: boolean;
  /** Faces the decision listed that have been forgotten since (left out of faceIds). */
  forgottenFaces: number;
}

function toItem(record: DecisionRecord): HistoryItem {
  return {
    id: record.id, at: record.at, kind: record.kind, summary: record.summary, faceIds: record.faceIds,
    undone: record.undoneAt !== null, undoable: record.undoable && record.undoneAt === null, redoable: record.redoable, forgottenFaces: 0,
  };
}

/** A count or limit given by the user: a whole number >= 1, else a DecisionError naming `field`. */
function requireWholeCount(field: 'count' | 'limit', value: number): void {
  if (!(Number.isInteger(value) && value >= 1)) throw new DecisionError(field, `${field} must be a whole number >= 1, got ${value}`);
}

export function listHistory(store: Store, limit = 100): HistoryItem[] {
  requireWholeCount('limit', limit);
  // Faces forgotten since (a folder removed, a face gone from its changed file) are left out: the History panel
  // showed them as broken thumbnails.
  return store.journal.list(limit).map((record) => {
    const faceIds = record.faceIds.filter((id) => store.faces.get(id) !== undefined);
    return { ...toItem(record), faceIds, forgottenFaces: record.faceIds.length - faceIds.length };
  });
}

/** Undoes the last `count` decisions (newest first); refused when there is nothing to undo. */
export function undoDecisions(store: Store, count = 1): HistoryItem[] {
  requireWholeCount('count', count);
  return store.transaction(() => {
    const pending = store.journal.lastUndoable(count);
    if (pending.length === 0) throw new DecisionError('count', 'there is nothing to undo');
    return pending.map((decision) => toItem(store.journal.undo(decision.id)));
  });
}

/**
 * Redoes the next `count` undone decisions (oldest first, the order undo took them back in reverse), in one
 * transaction; refused when there is nothing to redo: nothing was undone, or a decision made since replaced it.
 */
export function redoDecisions(store: Store, count = 1): HistoryItem[] {
  requireWholeCount('count', count);
  return store.transaction(() => {
    const pending = store.journal.nextRedoable(count);
    if (pending.length === 0) throw new DecisionError('count', 'there is nothing to redo');
    return pending.map((decision) => toItem(store.journal.redo(decision.id)));
  });
}
