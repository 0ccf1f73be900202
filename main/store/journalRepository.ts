/**
 * decisions, decision_undo, journal_recording (migration 0002): the journal of the user's decisions. `record`
 * runs a change with the reversing triggers on and files it under a new decision; `undo` runs a decision's
 * reversing statements newest first. Both belong inside the caller's transaction (the people layer's).
 */
import type { Db } from './db.ts';
import { InvalidValueError } from './errors/invalidValueError.ts';

export interface DecisionRecord {
  id: number;
  at: number;
  kind: string;
  summary: string;
  faceIds: number[];
  undoable: boolean;
  undoneAt: number | null;
}

export interface NewDecision {
  kind: string;
  summary: string;
  faceIds?: readonly number[];
  /** False for a decision that cannot be reverted (its data is deleted for good); nothing is recorded for it. */
  undoable?: boolean;
}

/** Faces listed with a decision: enough for the history panel, bounded for large merges. */
const MAX_LISTED_FACES = 50;

interface DecisionRow {
  id: number;
  at: number;
  kind: string;
  summary: string;
  face_ids: string;
  undoable: number;
  undone_at: number | null;
}

function toRecord(row: DecisionRow): DecisionRecord {
  return {
    id: row.id, at: row.at, kind: row.kind, summary: row.summary, faceIds: JSON.parse(row.face_ids) as number[],
    undoable: row.undoable === 1, undoneAt: row.undone_at,
  };
}

export class JournalRepository {
  readonly #db: Db;
  readonly #insert;
  readonly #recording;
  readonly #setRecording;
  readonly #statements;
  readonly #markUndone;
  readonly #list;
  readonly #get;
  readonly #lastUndoable;
  readonly #forgetUndo;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare<[number, string, string, string, number]>(
      'INSERT INTO decisions (at, kind, summary, face_ids, undoable) VALUES (?, ?, ?, ?, ?)',
    );
    this.#recording = db.prepare<[], { decision_id: number | null }>('SELECT decision_id FROM journal_recording WHERE id = 1');
    this.#setRecording = db.prepare<[number | null]>('UPDATE journal_recording SET decision_id = ? WHERE id = 1');
    this.#statements = db.prepare<[number], { statement: string }>('SELECT statement FROM decision_undo WHERE decision_id = ? ORDER BY seq DESC');
    this.#markUndone = db.prepare<[number, number]>('UPDATE decisions SET undone_at = ? WHERE id = ?');
    this.#list = db.prepare<[number], DecisionRow>('SELECT * FROM decisions ORDER BY id DESC LIMIT ?');
    this.#get = db.prepare<[number], DecisionRow>('SELECT * FROM decisions WHERE id = ?');
    this.#lastUndoable = db.prepare<[number], DecisionRow>(
      'SELECT * FROM decisions WHERE undone_at IS NULL AND undoable = 1 ORDER BY id DESC LIMIT ?',
    );
    this.#forgetUndo = db.prepare('UPDATE decisions SET undoable = 0 WHERE undone_at IS NULL AND undoable = 1');
  }

  /** The decision being recorded now, if any (a decision made inside another is part of it). */
  recordingId(): number | null {
    return this.#recording.get()?.decision_id ?? null;
  }

  /**
   * Runs `change` as decision `decision`: every row it inserts, updates or deletes in a journaled table gets its
   * reversing statement. Must run inside a transaction; `change` must be synchronous.
   */
  record<T>(decision: NewDecision, change: () => T, now = Date.now()): { id: number; value: T } {
    if (!this.#db.inTransaction) throw new InvalidValueError('journal', 'a decision must be recorded inside a transaction');
    const faceIds = [...new Set(decision.faceIds ?? [])].slice(0, MAX_LISTED_FACES);
    const undoable = decision.undoable !== false;
    const id = Number(this.#insert.run(now, decision.kind, decision.summary, JSON.stringify(faceIds), undoable ? 1 : 0).lastInsertRowid);
    if (!undoable) {
      // Earlier decisions cannot be reverted once the data they touched is deleted for good.
      this.#forgetUndo.run();
      return { id, value: change() };
    }
    this.#setRecording.run(id);
    try {
      return { id, value: change() };
    } finally {
      this.#setRecording.run(null);
    }
  }

  /**
   * Deletes every decision but the newest (the one being recorded): "forget all face data" forgets the history too,
   * whose summaries hold the names, and whose face ids the next scan's faces would take over. Returns how many.
   */
  forgetEarlier(): number {
    return this.#db.prepare('DELETE FROM decisions WHERE id < (SELECT max(id) FROM decisions)').run().changes;
  }

  /** The last `count` decisions that can still be undone, newest first. */
  lastUndoable(count: number): DecisionRecord[] {
    return this.#lastUndoable.all(count).map(toRecord);
  }

  /** Reverts decision `id` (inside the caller's transaction): its reversing statements, newest first. */
  undo(id: number, now = Date.now()): DecisionRecord {
    const row = this.#get.get(id);
    if (!row) throw new InvalidValueError('decision', `there is no decision ${id}`);
    if (row.undone_at !== null) throw new InvalidValueError('decision', `decision ${id} was already undone`);
    if (row.undoable !== 1) throw new InvalidValueError('decision', `decision ${id} (${row.summary}) cannot be undone`);
    if (this.recordingId() !== null) throw new InvalidValueError('decision', 'cannot undo while a decision is being recorded');
    for (const { statement } of this.#statements.all(id)) this.#db.exec(statement);
    this.#markUndone.run(now, id);
    return toRecord(this.#get.get(id)!);
  }

  list(limit = 100): DecisionRecord[] {
    return this.#list.all(limit).map(toRecord);
  }
}
