/**
 * constraints: the user's statements about a face and a person, which clustering must respect:
 * 'is' (must-link: this face is that person) and 'not' (cannot-link: this face is not that person).
 * A newer statement about the same face and person replaces the older one; a face has at most one 'is'.
 * Each statement is also reflected in the face's assignment in the same transaction, so the two never disagree.
 */
import type { Db } from './db.ts';
import { InvalidValueError } from './errors/invalidValueError.ts';

export type ConstraintKind = 'is' | 'not';

export interface Constraint {
  faceId: number;
  personId: number;
  kind: ConstraintKind;
  createdAt: number;
}

const columns = 'face_id AS faceId, person_id AS personId, kind, created_at AS createdAt';

export const constraintsSql = {
  dropOtherIs: "DELETE FROM constraints WHERE face_id = ? AND kind = 'is' AND person_id <> ?",
  upsert: `INSERT INTO constraints (face_id, person_id, kind, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (face_id, person_id) DO UPDATE SET kind = excluded.kind, created_at = excluded.created_at`,
  // 'is': the face becomes a user decision for that person.
  assignUser: `INSERT INTO face_assignments (face_id, person_id, cluster_id, source, updated_at)
    VALUES (:faceId, :personId, NULL, 'user', :now)
    ON CONFLICT (face_id) DO UPDATE SET person_id = excluded.person_id, source = 'user',
      updated_at = excluded.updated_at`,
  // 'not': a face currently on that person leaves it (an automatic row stays automatic, a user row stays the user's).
  unassign: `UPDATE face_assignments SET person_id = NULL, updated_at = :now
    WHERE face_id = :faceId AND person_id = :personId`,
  remove: 'DELETE FROM constraints WHERE face_id = ? AND person_id = ?',
  forFace: `SELECT ${columns} FROM constraints WHERE face_id = ? ORDER BY person_id`,
  forPerson: `SELECT ${columns} FROM constraints WHERE person_id = ? ORDER BY face_id`,
  all: `SELECT ${columns} FROM constraints ORDER BY face_id, person_id`,
} as const;

export class ConstraintsRepository {
  readonly #db: Db;
  readonly #dropOtherIs;
  readonly #upsert;
  readonly #assignUser;
  readonly #unassign;
  readonly #remove;
  readonly #forFace;
  readonly #forPerson;
  readonly #all;

  constructor(db: Db) {
    this.#db = db;
    this.#dropOtherIs = db.prepare<[number, number]>(constraintsSql.dropOtherIs);
    this.#upsert = db.prepare<[number, number, ConstraintKind, number]>(constraintsSql.upsert);
    this.#assignUser = db.prepare<{ faceId: number; personId: number; now: number }>(constraintsSql.assignUser);
    this.#unassign = db.prepare<{ faceId: number; personId: number; now: number }>(constraintsSql.unassign);
    this.#remove = db.prepare<[number, number]>(constraintsSql.remove);
    this.#forFace = db.prepare<[number], Constraint>(constraintsSql.forFace);
    this.#forPerson = db.prepare<[number], Constraint>(constraintsSql.forPerson);
    this.#all = db.prepare<[], Constraint>(constraintsSql.all);
  }

  /** Records that face `faceId` is (or is not) person `personId`. */
  add(faceId: number, personId: number, kind: ConstraintKind, now = Date.now()): void {
    if (kind !== 'is' && kind !== 'not') throw new InvalidValueError('constraints.kind', `unknown kind ${String(kind)}`);
    this.#db.transaction(() => {
      if (kind === 'is') this.#dropOtherIs.run(faceId, personId);
      this.#upsert.run(faceId, personId, kind, now);
      if (kind === 'is') this.#assignUser.run({ faceId, personId, now });
      else this.#unassign.run({ faceId, personId, now });
    }).immediate();
  }

  /** Withdraws a statement; the face's assignment is left as it is. Returns whether there was one. */
  remove(faceId: number, personId: number): boolean {
    return this.#remove.run(faceId, personId).changes > 0;
  }

  listForFace(faceId: number): Constraint[] {
    return this.#forFace.all(faceId);
  }

  listForPerson(personId: number): Constraint[] {
    return this.#forPerson.all(personId);
  }

  /** Every constraint, for clustering. */
  listAll(): Constraint[] {
    return this.#all.all();
  }
}
