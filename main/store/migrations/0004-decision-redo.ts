import type { Migration } from './migration.ts';

/*
 * Redo for the decision journal (SQLite's undo/redo technique, the other half). Undoing a decision runs its
 * reversing statements with the journal's triggers pointed at it; what they record then reverses the undo, and is
 * moved here, to `decision_redo`. Redo runs those statements newest first, with the triggers recording the
 * decision's reversing statements afresh into `decision_undo`, so it can be undone again.
 *
 * decisions.redoable: 1 while an undone decision can be redone. A new decision clears every redo (as in any
 * editor: redo after a different change would replay a past that no longer leads here).
 */
const schema = `
ALTER TABLE decisions ADD COLUMN redoable INTEGER NOT NULL DEFAULT 0 CHECK (redoable IN (0, 1));

CREATE TABLE decision_redo (
  decision_id INTEGER NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
  seq         INTEGER PRIMARY KEY,                            -- order of recording; redo runs it backwards
  statement   TEXT    NOT NULL
) STRICT;
CREATE INDEX decision_redo_by_decision ON decision_redo (decision_id, seq);
`;

export const decisionRedo: Migration = {
  version: 4,
  name: 'decision-redo',
  up(db) {
    db.exec(schema);
  },
};
