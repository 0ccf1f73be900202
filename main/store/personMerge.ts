/**
 * Merging two persons into one, keeping every user decision. Kept apart from persons-repository.ts because it
 * touches three tables; it is reached through PersonsRepository.merge.
 */
import type { Db } from './db.ts';
import { InvalidValueError } from './errors/invalidValueError.ts';
import { MergeConflictError } from './errors/mergeConflictError.ts';
import { NotFoundError } from './errors/notFoundError.ts';
import { personColumns, toPerson, type Person, type PersonRow } from './personRow.ts';

export interface MergeOptions {
  /**
   * When a face the user put with one person has a "not" constraint for the other, the merge is refused
   * (MergeConflictError). Set this, once the user confirmed the merge, to drop those "not" constraints instead.
   */
  dropContradictedNotConstraints?: boolean;
}

export interface MergeResult {
  /** The merged person, as it now is. */
  person: Person;
  movedAssignments: number;
  movedConstraints: number;
  /** Constraints the other person already had for the same face, same kind. */
  duplicateConstraints: number;
  /** "not" constraints dropped on the caller's request (dropContradictedNotConstraints). */
  droppedConstraints: number;
}

export const mergeSql = {
  byId: `SELECT ${personColumns} FROM persons WHERE id = ?`,
  // Faces with a "not" for :negative although the user put them with :positive (constraint or assignment).
  contradictions: `SELECT face_id FROM constraints WHERE person_id = :negative AND kind = 'not' AND face_id IN (
      SELECT face_id FROM constraints WHERE person_id = :positive AND kind = 'is'
      UNION SELECT face_id FROM face_assignments WHERE person_id = :positive AND source = 'user')`,
  dropNot: `DELETE FROM constraints WHERE face_id = ? AND person_id IN (?, ?) AND kind = 'not'`,
  // A constraint that :into already has for the face is left behind by OR IGNORE, then deleted as a duplicate.
  moveConstraints: 'UPDATE OR IGNORE constraints SET person_id = :into WHERE person_id = :from',
  deleteLeftConstraints: 'DELETE FROM constraints WHERE person_id = ?',
  moveAssignments: 'UPDATE face_assignments SET person_id = :into, updated_at = :now WHERE person_id = :from',
  // Automatic guesses never stand against a user's "not": those faces go back to unassigned.
  clearContradictedAuto: `UPDATE face_assignments SET person_id = NULL, updated_at = :now
    WHERE person_id = :into AND source = 'auto'
    AND face_id IN (SELECT face_id FROM constraints WHERE person_id = :into AND kind = 'not')`,
  deletePerson: 'DELETE FROM persons WHERE id = ?',
  updateInto: `UPDATE persons SET name = :name, name_key = :nameKey, favourite = :favourite, birth_date = :birthDate,
    cover_face_id = :coverFaceId, updated_at = :now WHERE id = :id`,
  nameKeyOf: 'SELECT name_key FROM persons WHERE id = ?',
} as const;

export class PersonMerger {
  readonly #db: Db;
  readonly #byId;
  readonly #contradictions;
  readonly #dropNot;
  readonly #moveConstraints;
  readonly #deleteLeftConstraints;
  readonly #moveAssignments;
  readonly #clearContradictedAuto;
  readonly #deletePerson;
  readonly #updateInto;
  readonly #nameKeyOf;

  constructor(db: Db) {
    this.#db = db;
    this.#byId = db.prepare<[number], PersonRow>(mergeSql.byId);
    this.#contradictions = db.prepare<{ negative: number; positive: number }, number>(mergeSql.contradictions).pluck();
    this.#dropNot = db.prepare<[number, number, number]>(mergeSql.dropNot);
    this.#moveConstraints = db.prepare<{ from: number; into: number }>(mergeSql.moveConstraints);
    this.#deleteLeftConstraints = db.prepare<[number]>(mergeSql.deleteLeftConstraints);
    this.#moveAssignments = db.prepare<{ from: number; into: number; now: number }>(mergeSql.moveAssignments);
    this.#clearContradictedAuto = db.prepare<{ into: number; now: number }>(mergeSql.clearContradictedAuto);
    this.#deletePerson = db.prepare<[number]>(mergeSql.deletePerson);
    this.#updateInto = db.prepare<Record<string, unknown>>(mergeSql.updateInto);
    this.#nameKeyOf = db.prepare<[number], string | null>(mergeSql.nameKeyOf).pluck();
  }

  merge(fromId: number, intoId: number, options: MergeOptions, now: number): MergeResult {
    if (fromId === intoId) throw new InvalidValueError('persons.id', `cannot merge person ${fromId} into itself`);
    return this.#db.transaction((): MergeResult => {
      const from = this.#byId.get(fromId);
      const into = this.#byId.get(intoId);
      if (!from) throw new NotFoundError('persons', fromId);
      if (!into) throw new NotFoundError('persons', intoId);

      const contradicted = [
        ...new Set([
          ...this.#contradictions.all({ negative: fromId, positive: intoId }),
          ...this.#contradictions.all({ negative: intoId, positive: fromId }),
        ]),
      ].sort((a, b) => a - b);
      if (contradicted.length > 0 && !options.dropContradictedNotConstraints) {
        throw new MergeConflictError(fromId, intoId, contradicted);
      }
      let droppedConstraints = 0;
      for (const faceId of contradicted) droppedConstraints += this.#dropNot.run(faceId, fromId, intoId).changes;

      const movedConstraints = this.#moveConstraints.run({ from: fromId, into: intoId }).changes;
      const duplicateConstraints = this.#deleteLeftConstraints.run(fromId).changes;
      const movedAssignments = this.#moveAssignments.run({ from: fromId, into: intoId, now }).changes;
      this.#clearContradictedAuto.run({ into: intoId, now });

      // `from` goes first so that its name is free for `into` to take.
      const fromNameKey = this.#nameKeyOf.get(fromId) ?? null;
      this.#deletePerson.run(fromId);
      this.#updateInto.run({
        id: intoId,
        name: into.name ?? from.name,
        nameKey: into.name !== null ? this.#nameKeyOf.get(intoId) : fromNameKey,
        favourite: into.favourite || from.favourite ? 1 : 0,
        birthDate: into.birthDate ?? from.birthDate,
        coverFaceId: into.coverFaceId ?? from.coverFaceId,
        now,
      });
      const person = toPerson(this.#byId.get(intoId)!);
      return { person, movedAssignments, movedConstraints, duplicateConstraints, droppedConstraints };
    }).immediate();
  }
}
