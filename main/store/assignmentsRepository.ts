/**
 * face_assignments: who each face is. Rows with source 'user' are the user's decisions and clustering never
 * overwrites them: the guard is in the SQL of every automatic write (ON CONFLICT ... WHERE source = 'auto'),
 * so a decision committed while a clustering job was computing survives that job's write, whatever its snapshot.
 */
import type { Db } from './db.ts';
import type { Statement } from 'better-sqlite3';

export type AssignmentSource = 'auto' | 'user';

export interface Assignment {
  faceId: number;
  /** null: nobody (a user row with null means the user took the face away from everyone). */
  personId: number | null;
  clusterId: number | null;
  source: AssignmentSource;
  updatedAt: number;
}

/** One face's place in a clustering result. */
export interface AutoAssignment {
  faceId: number;
  personId: number | null;
  clusterId: number | null;
}

/** What happened to a batch of automatic assignments; nothing is dropped without being counted here. */
export interface AutoAssignmentResult {
  written: number;
  /** Faces the user decided on: left exactly as they were. */
  keptUserDecisions: number;
  /** Faces deleted since the clustering read them: skipped. */
  missingFaces: number;
  /** Person proposed but the user said "not this person" (or merged or deleted it meanwhile): written with no person. */
  personsWithheld: number;
  /** Cluster deleted meanwhile (its run was removed): written with no cluster. */
  clustersMissing: number;
}

interface FaceState {
  faceExists: number;
  source: AssignmentSource | null;
  forbidden: number;
}

const columns = 'face_id AS faceId, person_id AS personId, cluster_id AS clusterId, source, updated_at AS updatedAt';

export const assignmentsSql = {
  get: `SELECT ${columns} FROM face_assignments WHERE face_id = ?`,
  byPerson: `SELECT ${columns} FROM face_assignments WHERE person_id = ? ORDER BY face_id`,
  userDecisions: `SELECT ${columns} FROM face_assignments WHERE source = 'user' ORDER BY face_id`,
  faceState: `SELECT EXISTS (SELECT 1 FROM faces WHERE id = :faceId) AS faceExists,
    (SELECT source FROM face_assignments WHERE face_id = :faceId) AS source,
    EXISTS (SELECT 1 FROM constraints WHERE face_id = :faceId AND person_id = :personId AND kind = 'not') AS forbidden`,
  personExists: 'SELECT EXISTS (SELECT 1 FROM persons WHERE id = ?)',
  clusterExists: 'SELECT EXISTS (SELECT 1 FROM clusters WHERE id = ?)',
  putAuto: `INSERT INTO face_assignments (face_id, person_id, cluster_id, source, updated_at)
    VALUES (:faceId, :personId, :clusterId, 'auto', :now)
    ON CONFLICT (face_id) DO UPDATE SET person_id = excluded.person_id, cluster_id = excluded.cluster_id,
      updated_at = excluded.updated_at
    WHERE face_assignments.source = 'auto'`,
  putUser: `INSERT INTO face_assignments (face_id, person_id, cluster_id, source, updated_at)
    VALUES (:faceId, :personId, NULL, 'user', :now)
    ON CONFLICT (face_id) DO UPDATE SET person_id = excluded.person_id, source = 'user',
      updated_at = excluded.updated_at`,
  // A user's new decision supersedes their older statements that contradict it.
  dropSupersededConstraints: `DELETE FROM constraints WHERE face_id = :faceId
    AND ((person_id = :personId AND kind = 'not') OR (person_id IS NOT :personId AND kind = 'is'))`,
  releaseUser: `UPDATE face_assignments SET source = 'auto', person_id = NULL, updated_at = ?
    WHERE face_id = ? AND source = 'user'`,
  clearAuto: "DELETE FROM face_assignments WHERE source = 'auto'",
} as const;

/** Where a face is: its person (and the person's name), its cluster, and who decided. */
export interface FaceMembership {
  faceId: number;
  photoId: number;
  personId: number | null;
  clusterId: number | null;
  assignedBy: 'auto' | 'user' | null;
  personName: string | null;
}

export class AssignmentsRepository {
  readonly #db: Db;
  readonly #get;
  readonly #byPerson;
  readonly #userDecisions;
  readonly #faceState;
  readonly #personExists;
  readonly #clusterExists;
  readonly #putAuto;
  readonly #putUser;
  readonly #dropSupersededConstraints;
  readonly #releaseUser;
  readonly #clearAuto;

  constructor(db: Db) {
    this.#db = db;
    this.#get = db.prepare<[number], Assignment>(assignmentsSql.get);
    this.#byPerson = db.prepare<[number], Assignment>(assignmentsSql.byPerson);
    this.#userDecisions = db.prepare<[], Assignment>(assignmentsSql.userDecisions);
    this.#faceState = db.prepare<{ faceId: number; personId: number | null }, FaceState>(assignmentsSql.faceState);
    this.#personExists = db.prepare<[number], number>(assignmentsSql.personExists).pluck();
    this.#clusterExists = db.prepare<[number], number>(assignmentsSql.clusterExists).pluck();
    this.#putAuto = db.prepare<AutoAssignment & { now: number }>(assignmentsSql.putAuto);
    this.#putUser = db.prepare<{ faceId: number; personId: number | null; now: number }>(assignmentsSql.putUser);
    this.#dropSupersededConstraints = db.prepare<{ faceId: number; personId: number | null }>(
      assignmentsSql.dropSupersededConstraints,
    );
    this.#releaseUser = db.prepare<[number, number]>(assignmentsSql.releaseUser);
    this.#clearAuto = db.prepare(assignmentsSql.clearAuto);
  }

  get(faceId: number): Assignment | undefined {
    return this.#get.get(faceId);
  }

  listByPerson(personId: number): Assignment[] {
    return this.#byPerson.all(personId);
  }

  /**
   * Every face's place, lean (no paths, boxes or labels) for loops that read it after each decision, such as the
   * simulated user of `facet eval journey`: ordered by face id.
   */
  membership(): FaceMembership[] {
    this.#membership ??= this.#db.prepare<[], FaceMembership>(`SELECT f.id AS faceId, f.photo_id AS photoId, a.person_id AS personId,
      a.cluster_id AS clusterId, a.source AS assignedBy, pe.name AS personName
      FROM faces f LEFT JOIN face_assignments a ON a.face_id = f.id LEFT JOIN persons pe ON pe.id = a.person_id ORDER BY f.id`);
    return this.#membership.all();
  }

  #membership: Statement<[], FaceMembership> | undefined;

  /** Every user decision: what clustering must start from and never contradict. */
  listUserDecisions(): Assignment[] {
    return this.#userDecisions.all();
  }

  /**
   * Writes a clustering result in one transaction. Rows the user decided on are never touched; a proposed person
   * the user ruled out for that face (a 'not' constraint, possibly added while the clustering ran) is withheld.
   */
  setAuto(rows: Iterable<AutoAssignment>, now = Date.now()): AutoAssignmentResult {
    return this.#db.transaction((): AutoAssignmentResult => {
      const result: AutoAssignmentResult = {
        written: 0,
        keptUserDecisions: 0,
        missingFaces: 0,
        personsWithheld: 0,
        clustersMissing: 0,
      };
      const persons = new Map<number, boolean>();
      const clusters = new Map<number, boolean>();
      for (const row of rows) {
        const state = this.#faceState.get({ faceId: row.faceId, personId: row.personId })!;
        if (!state.faceExists) {
          result.missingFaces++;
          continue;
        }
        if (state.source === 'user') {
          result.keptUserDecisions++;
          continue;
        }
        let { personId, clusterId } = row;
        if (personId !== null && (state.forbidden || !cachedExists(persons, personId, this.#personExists))) {
          result.personsWithheld++;
          personId = null;
        }
        if (clusterId !== null && !cachedExists(clusters, clusterId, this.#clusterExists)) {
          result.clustersMissing++;
          clusterId = null;
        }
        result.written += this.#putAuto.run({ faceId: row.faceId, personId, clusterId, now }).changes;
      }
      return result;
    }).immediate();
  }

  /**
   * The user says these faces are `personId` (or, with null, nobody). Replaces any earlier decision and drops the
   * user's own older constraints that contradict it. The face's cluster is kept.
   */
  assignByUser(faceIds: readonly number[], personId: number | null, now = Date.now()): void {
    this.#db.transaction(() => {
      for (const faceId of faceIds) {
        this.#dropSupersededConstraints.run({ faceId, personId });
        this.#putUser.run({ faceId, personId, now });
      }
    }).immediate();
  }

  /** Undoes user decisions: the faces go back to clustering, unassigned until its next run. Returns how many. */
  releaseToAuto(faceIds: readonly number[], now = Date.now()): number {
    return this.#db.transaction((): number => {
      let released = 0;
      for (const faceId of faceIds) released += this.#releaseUser.run(now, faceId).changes;
      return released;
    }).immediate();
  }

  /** Deletes every automatic assignment (before a clustering from scratch). User decisions stay. */
  clearAuto(): number {
    return this.#clearAuto.run().changes;
  }
}

function cachedExists(cache: Map<number, boolean>, id: number, lookup: { get(id: number): number | undefined }): boolean {
  let exists = cache.get(id);
  if (exists === undefined) {
    exists = lookup.get(id) === 1;
    cache.set(id, exists);
  }
  return exists;
}
