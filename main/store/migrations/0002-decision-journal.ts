import type Database from 'better-sqlite3';
import type { Migration } from './migration.ts';

/*
 * The journal of the user's decisions, so each can be listed and undone exactly, also after a restart.
 *
 * A decision runs in one transaction that first inserts its `decisions` row and points `journal_recording` at it;
 * while it points there, triggers on the tables a decision may change write, for every row inserted, updated or
 * deleted, the SQL statement that reverses it into `decision_undo` (SQLite's own undo/redo technique,
 * sqlite.org/undoredo.html). Undo runs a decision's statements newest first with recording off. Writes outside a
 * decision (scans, clustering runs) are not recorded: the pointer is NULL then. Because the pointer is set inside
 * the decision's transaction, a crash rolls it back with everything else.
 *
 * Reversing statements guard their references: a face that a later scan removed is not brought back, and a
 * cluster that a later clustering run replaced becomes NULL (the face waits for the next run), so an undo after
 * re-clustering never fails on a foreign key. A migration that changes a journaled table must recreate its
 * triggers (journalTriggers below).
 */
const schema = `
CREATE TABLE decisions (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  kind       TEXT    NOT NULL,
  summary    TEXT    NOT NULL,
  face_ids   TEXT    NOT NULL CHECK (json_valid(face_ids)),   -- JSON array of the faces touched (at most 50)
  undoable   INTEGER NOT NULL DEFAULT 1 CHECK (undoable IN (0, 1)),
  undone_at  INTEGER
) STRICT;

CREATE TABLE decision_undo (
  decision_id INTEGER NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
  seq         INTEGER PRIMARY KEY,                            -- order of recording; undo runs it backwards
  statement   TEXT    NOT NULL
) STRICT;
CREATE INDEX decision_undo_by_decision ON decision_undo (decision_id, seq);

CREATE TABLE journal_recording (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  decision_id INTEGER REFERENCES decisions (id) ON DELETE SET NULL
) STRICT;
INSERT INTO journal_recording (id, decision_id) VALUES (1, NULL);
`;

/** Tables a decision may change, with their key columns and the references a reversing statement must guard. */
export const JOURNALED_TABLES: ReadonlyArray<{ table: string; key: string[]; guard?: string; nullable?: Record<string, string> }> = [
  { table: 'persons', key: ['id'], nullable: { cover_face_id: 'faces' } },
  { table: 'face_assignments', key: ['face_id'], guard: 'face_id', nullable: { cluster_id: 'clusters' } },
  { table: 'constraints', key: ['face_id', 'person_id'], guard: 'face_id' },
  { table: 'faces', key: ['id'], guard: 'photo' },
  { table: 'face_thumbnails', key: ['face_id'], guard: 'face_id' },
  { table: 'embeddings', key: ['face_id', 'model_id'], guard: 'face_id' },
];

const RECORDING = 'SELECT decision_id FROM journal_recording WHERE id = 1';

/** The CREATE TRIGGER statements that record reversing SQL for one table (columns read from the live schema). */
export function journalTriggers(db: Database.Database, spec: (typeof JOURNALED_TABLES)[number]): string[] {
  const columns = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(spec.table) as Array<{ name: string }>).map((c) => c.name);
  const { table, key } = spec;
  const value = (row: 'old' | 'new', column: string) => {
    const referenced = spec.nullable?.[column];
    // A reference to a row that may be gone by undo time becomes NULL instead of failing the foreign key.
    return referenced
      ? `'(SELECT id FROM ${referenced} WHERE id = ' || quote(${row}.${column}) || ')'`
      : `quote(${row}.${column})`;
  };
  const where = (row: 'old' | 'new') => key.map((k) => `'${k} = ' || quote(${row}.${k})`).join(` || ' AND ' || `);
  const guard = spec.guard === 'face_id'
    ? ` || ' WHERE EXISTS (SELECT 1 FROM faces WHERE id = ' || quote(old.face_id) || ')'`
    : spec.guard === 'photo'
      ? ` || ' WHERE EXISTS (SELECT 1 FROM photos WHERE id = ' || quote(old.photo_id) || ')'`
      : '';
  const record = (statement: string) => `INSERT INTO decision_undo (decision_id, statement) SELECT decision_id, ${statement} FROM journal_recording WHERE id = 1;`;
  return [
    `CREATE TRIGGER journal_${table}_insert AFTER INSERT ON ${table} WHEN (${RECORDING}) IS NOT NULL BEGIN
       ${record(`'DELETE FROM ${table} WHERE ' || ${where('new')}`)}
     END`,
    `CREATE TRIGGER journal_${table}_update AFTER UPDATE ON ${table} WHEN (${RECORDING}) IS NOT NULL BEGIN
       ${record(`'UPDATE ${table} SET ' || ${columns.map((c) => `'${c} = ' || ${value('old', c)}`).join(` || ', ' || `)} || ' WHERE ' || ${where('new')}`)}
     END`,
    `CREATE TRIGGER journal_${table}_delete AFTER DELETE ON ${table} WHEN (${RECORDING}) IS NOT NULL BEGIN
       ${record(`'INSERT OR REPLACE INTO ${table} (${columns.join(', ')}) SELECT ' || ${columns.map((c) => value('old', c)).join(` || ', ' || `)}${guard}`)}
     END`,
  ];
}

export const decisionJournal: Migration = {
  version: 2,
  name: 'decision-journal',
  up(db) {
    db.exec(schema);
    for (const spec of JOURNALED_TABLES) for (const statement of journalTriggers(db, spec)) db.exec(statement);
  },
};
