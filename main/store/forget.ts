/**
 * Deliberate deletion of user data, the only place where names and decisions are removed in bulk.
 * Deleted pages are overwritten with zeros (secure_delete) and the WAL is checkpointed and truncated,
 * so forgotten faces and names do not linger in the file's free pages or its write-ahead log.
 * The statements are prepared per call: these run rarely, at the user's request.
 */
import type { Db } from './db.ts';
import { NotFoundError } from './errors/notFoundError.ts';

export interface ForgetFaceDataResult {
  faces: number;
  embeddings: number;
  thumbnails: number;
  persons: number;
  assignments: number;
  constraints: number;
  clusterRuns: number;
  /** false when another connection was reading and part of the WAL could not be truncated yet. */
  walTruncated: boolean;
}

export interface ForgetRootResult {
  photos: number;
  faces: number;
  /** Persons whose every face was in the folder: forgotten with it (they were listed with no face at all). */
  persons: number;
  walTruncated: boolean;
}

/**
 * Removes every face, thumbnail, embedding, person (names included), assignment, constraint and clustering result.
 * Photos and folders stay, marked as not yet detected; settings stay.
 */
export function forgetAllFaceData(db: Db): ForgetFaceDataResult {
  const run = (sql: string): number => db.prepare(sql).run().changes;
  const counts = withSecureDelete(db, () =>
    db.transaction(() => {
      const constraints = run('DELETE FROM constraints');
      const assignments = run('DELETE FROM face_assignments');
      const persons = run('DELETE FROM persons');
      const clusterRuns = run('DELETE FROM cluster_runs'); // clusters follow (ON DELETE CASCADE)
      const thumbnails = run('DELETE FROM face_thumbnails');
      const embeddings = run('DELETE FROM embeddings');
      const faces = run('DELETE FROM faces');
      run('UPDATE photos SET detector_id = NULL WHERE detector_id IS NOT NULL');
      return { faces, embeddings, thumbnails, persons, assignments, constraints, clusterRuns };
    }).immediate(),
  );
  return { ...counts, walTruncated: truncateWal(db) };
}

/**
 * Forgets a library folder: its photos, their faces and the user's decisions on those faces, then the folder.
 * A person with faces elsewhere stays, with its name; one whose every face was in the folder goes too, unless a
 * decision on a face elsewhere ("not this person") still names it. (They stayed, listed with no face at all.)
 */
export function forgetRoot(db: Db, rootId: number): ForgetRootResult {
  const facesOfRoot = 'SELECT f.id FROM faces f JOIN photos p ON p.id = f.photo_id WHERE p.root_id = ?';
  const counts = withSecureDelete(db, () =>
    db.transaction(() => {
      const touched = db.prepare(`SELECT DISTINCT person_id FROM face_assignments WHERE person_id IS NOT NULL AND face_id IN (${facesOfRoot})`)
        .pluck().all(rootId) as number[];
      db.prepare(`DELETE FROM constraints WHERE face_id IN (${facesOfRoot})`).run(rootId);
      db.prepare(`DELETE FROM face_assignments WHERE face_id IN (${facesOfRoot})`).run(rootId);
      const faces = db.prepare(`DELETE FROM faces WHERE id IN (${facesOfRoot})`).run(rootId).changes;
      const photos = db.prepare('DELETE FROM photos WHERE root_id = ?').run(rootId).changes;
      if (db.prepare('DELETE FROM library_roots WHERE id = ?').run(rootId).changes === 0) {
        throw new NotFoundError('library_roots', rootId);
      }
      const forgetPerson = db.prepare(`DELETE FROM persons WHERE id = ?
        AND NOT EXISTS (SELECT 1 FROM face_assignments WHERE person_id = ?) AND NOT EXISTS (SELECT 1 FROM constraints WHERE person_id = ?)`);
      const persons = touched.reduce((n, id) => n + forgetPerson.run(id, id, id).changes, 0);
      return { photos, faces, persons };
    }).immediate(),
  );
  return { ...counts, walTruncated: truncateWal(db) };
}

/** Runs `work` with SQLite's secure_delete on: pages freed meanwhile are overwritten with zeros. */
export function withSecureDelete<T>(db: Db, work: () => T): T {
  const before = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    return work();
  } finally {
    db.pragma(`secure_delete = ${before === 1 ? 'ON' : 'OFF'}`);
  }
}

/**
 * Copies the WAL into the database and empties it, so no old page image of the deleted rows remains. SQLite
 * refuses a checkpoint inside a transaction ("database table is locked"): a forget journaled as a decision runs
 * inside one, so there it is left to the caller, after the commit (store.truncateWal), and this returns false.
 */
export function truncateWal(db: Db): boolean {
  if (db.memory) return true;
  if (db.inTransaction) return false;
  const [status] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
  return status?.busy === 0;
}
