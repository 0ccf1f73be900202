/**
 * decisions, decision_undo, journal_recording (migration 0002), decision_redo (0004): the journal of the user's
 * decisions. `record` runs a change with the reversing triggers on and files it under a new decision; `undo` runs
 * a decision's reversing statements newest first, recording what reverses the undo for `redo`. All belong inside
 * the caller's transaction (the people layer's).
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
  /** True while an undone decision can be redone (until a new decision is made). */
  redoable: boolean;
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
  redoable: number;
}

function toRecord(row: DecisionRow): DecisionRecord {
  return {
    id: row.id, at: row.at, kind: row.kind, summary: row.summary, faceIds: JSON.parse(row.face_ids) as number[],
    undoable: row.undoable === 1, undoneAt: row.undone_at, redoable: row.redoable === 1,
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
  readonly #lastSeq;
  readonly #keepRedo;
  readonly #dropUndo;
  readonly #redoStatements;
  readonly #dropRedo;
  readonly #markRedone;
  readonly #nextRedoable;
  readonly #forgetRedo;
  readonly #releaseOrphans;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare<[number, string, string, string, number]>(
      'INSERT INTO decisions (at, kind, summary, face_ids, undoable) VALUES (?, ?, ?, ?, ?)',
    );
    this.#recording = db.prepare<[], { decision_id: number | null }>('SELECT decision_id FROM journal_recording WHERE id = 1');
    this.#setRecording = db.prepare<[number | null]>('UPDATE journal_recording SET decision_id = ? WHERE id = 1');
    this.#statements = db.prepare<[number], { statement: string }>('SELECT statement FROM decision_undo WHERE decision_id = ? ORDER BY seq DESC');
    this.#markUndone = db.prepare<[number, number]>('UPDATE decisions SET undone_at = ?, redoable = 1 WHERE id = ?');
    this.#list = db.prepare<[number], DecisionRow>('SELECT * FROM decisions ORDER BY id DESC LIMIT ?');
    this.#get = db.prepare<[number], DecisionRow>('SELECT * FROM decisions WHERE id = ?');
    this.#lastUndoable = db.prepare<[number], DecisionRow>(
      'SELECT * FROM decisions WHERE undone_at IS NULL AND undoable = 1 ORDER BY id DESC LIMIT ?',
    );
    this.#forgetUndo = db.prepare('UPDATE decisions SET undoable = 0 WHERE undone_at IS NULL AND undoable = 1');
    this.#lastSeq = db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM decision_undo');
    // An undo's own reversal (recorded under the decision past `seq`) becomes its redo; the undo rows it ran go.
    this.#keepRedo = db.prepare<[number, number]>(
      'INSERT INTO decision_redo (decision_id, statement) SELECT decision_id, statement FROM decision_undo WHERE decision_id = ? AND seq > ? ORDER BY seq',
    );
    this.#dropUndo = db.prepare<[number]>('DELETE FROM decision_undo WHERE decision_id = ?');
    this.#redoStatements = db.prepare<[number], { statement: string }>('SELECT statement FROM decision_redo WHERE decision_id = ? ORDER BY seq DESC');
    this.#dropRedo = db.prepare<[number]>('DELETE FROM decision_redo WHERE decision_id = ?');
    this.#markRedone = db.prepare<[number]>('UPDATE decisions SET undone_at = NULL, redoable = 0 WHERE id = ?');
    // Undo always takes the newest decisions not undone, so the redoable ones are a run at the end: oldest first.
    this.#nextRedoable = db.prepare<[number], DecisionRow>('SELECT * FROM decisions WHERE redoable = 1 ORDER BY id ASC LIMIT ?');
    this.#forgetRedo = db.prepare('UPDATE decisions SET redoable = 0 WHERE redoable = 1');
    this.#releaseOrphans = db.prepare(
      "UPDATE face_assignments SET person_id = NULL WHERE source = 'auto' AND person_id IS NOT NULL AND person_id NOT IN (SELECT id FROM persons)",
    );
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
    this.#clearRedo();
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

  /** A new decision makes every undone one final: redo would replay a past that no longer leads here. */
  #clearRedo(): void {
    if (this.#forgetRedo.run().changes > 0) this.#db.exec('DELETE FROM decision_redo');
  }

  /**
   * Reverts decision `id` (inside the caller's transaction): its reversing statements, newest first. What reverses
   * them in turn is recorded (the same triggers, pointed at the decision) and kept for `redo`.
   */
  undo(id: number, now = Date.now()): DecisionRecord {
    const row = this.#get.get(id);
    if (!row) throw new InvalidValueError('decision', `there is no decision ${id}`);
    if (row.undone_at !== null) throw new InvalidValueError('decision', `decision ${id} was already undone`);
    if (row.undoable !== 1) throw new InvalidValueError('decision', `decision ${id} (${row.summary}) cannot be undone`);
    if (this.recordingId() !== null) throw new InvalidValueError('decision', 'cannot undo while a decision is being recorded');
    const statements = this.#statements.all(id);
    const before = this.#lastSeq.get()?.seq ?? 0;
    this.#replay(id, statements);
    this.#keepRedo.run(id, before);
    this.#dropUndo.run(id);
    this.#markUndone.run(now, id);
    return toRecord(this.#get.get(id)!);
  }

  /**
   * Runs recorded statements with the triggers recording under decision `id`. A person the statements remove may
   * have been given faces since by writes that are not decisions (a regrouping, a scan's sorting): naming one face,
   * Find people, then undo failed on a foreign key. Those faces go back to their group, unassigned (recorded too,
   * so redo gives them back); foreign keys are checked at the caller's commit, once the statements have all run.
   */
  #replay(id: number, statements: ReadonlyArray<{ statement: string }>): void {
    this.#db.pragma('defer_foreign_keys = ON'); // until this transaction ends
    this.#setRecording.run(id);
    try {
      for (const { statement } of statements) this.#db.exec(statement);
      this.#releaseOrphans.run();
    } finally {
      this.#setRecording.run(null);
    }
  }

  /** The next `count` decisions that can be redone, in the order redo replays them (oldest first). */
  nextRedoable(count: number): DecisionRecord[] {
    return this.#nextRedoable.all(count).map(toRecord);
  }

  /**
   * Makes undone decision `id` again (inside the caller's transaction): the statements its undo recorded, newest
   * first, with the triggers recording its reversing statements afresh, so it can be undone again.
   */
  redo(id: number): DecisionRecord {
    const row = this.#get.get(id);
    if (!row) throw new InvalidValueError('decision', `there is no decision ${id}`);
    if (row.redoable !== 1) throw new InvalidValueError('decision', `decision ${id} (${row.summary}) cannot be redone`);
    if (this.recordingId() !== null) throw new InvalidValueError('decision', 'cannot redo while a decision is being recorded');
    const statements = this.#redoStatements.all(id);
    this.#dropUndo.run(id);
    this.#replay(id, statements);
    this.#dropRedo.run(id);
    this.#markRedone.run(id);
    return toRecord(this.#get.get(id)!);
  }

  list(limit = 100): DecisionRecord[] {
    return this.#list.all(limit).map(toRecord);
  }
}
