/**
 * What must hold after any fault: the file is a sound SQLite database, no face is stored twice, and every item
 * the user made (a name, a decision about a face, a constraint, a face they drew) is still there.
 */
import type { Store } from '../../main/store/index.ts';

/** One key per user-made item, comparable across connections and restarts. */
export function userItems(store: Store): Set<string> {
  const items = new Set<string>();
  for (const person of store.persons.list({ includeHidden: true })) {
    if (person.name !== null) items.add(`name: person ${person.id} is "${person.name}"`);
  }
  for (const decision of store.assignments.listUserDecisions()) {
    items.add(`decision: face ${decision.faceId} is ${decision.personId === null ? 'nobody' : `person ${decision.personId}`}`);
  }
  for (const constraint of store.constraints.listAll()) {
    items.add(`constraint: face ${constraint.faceId} ${constraint.kind} person ${constraint.personId}`);
  }
  const manual = store.db.prepare("SELECT id FROM faces WHERE source = 'manual'").pluck().all() as number[];
  for (const id of manual) items.add(`drawn face ${id}`);
  return items;
}

/** Items of `before` that `after` lacks. */
export function missingItems(before: ReadonlySet<string>, after: ReadonlySet<string>): string[] {
  return [...before].filter((item) => !after.has(item));
}

/** Everything wrong with the database's structure, as sentences; empty when sound. */
export function databaseProblems(store: Store): string[] {
  const problems: string[] = [];
  const integrity = store.db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
  const foreignKeys = store.db.pragma('foreign_key_check') as unknown[];
  if (foreignKeys.length > 0) problems.push(`foreign_key_check: ${JSON.stringify(foreignKeys.slice(0, 5))}`);
  const duplicates = store.db.prepare(`SELECT photo_id AS photoId, box_x AS x, box_y AS y, box_w AS w, box_h AS h, count(*) AS n
    FROM faces GROUP BY photo_id, box_x, box_y, box_w, box_h HAVING n > 1 LIMIT 5`).all();
  if (duplicates.length > 0) problems.push(`faces stored twice (same photo, same box): ${JSON.stringify(duplicates)}`);
  return problems;
}
