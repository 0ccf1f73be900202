/**
 * Backup and restore of the whole database. A backup goes through SQLite's online backup API
 * (better-sqlite3's db.backup), so it is consistent while the app keeps writing, WAL included. A restore first
 * checks the file (integrity_check, Facet's tables, a schema version this build knows, not the live database
 * itself), then copies the current database aside and only then puts the backup in its place.
 * Restoring needs the app to be closed: another open connection would keep writing to the replaced file.
 */
import { copyFileSync, existsSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from './db.ts';
import { RestoreError } from './errors/restoreError.ts';
import { LATEST_VERSION } from './migrations/index.ts';

/** Tables every Facet database has had since schema 1: a file without them is someone else's SQLite. */
const FACET_TABLES = ['library_roots', 'photos', 'faces', 'persons', 'face_assignments', 'constraints', 'settings'];

export interface BackupResult {
  file: string;
  bytes: number;
  schemaVersion: number;
}

export interface RestoreResult {
  restored: string;
  /** Where the database that was replaced now is; null when there was none. */
  previous: string | null;
  schemaVersion: number;
}

function sameFile(a: string, b: string): boolean {
  if (!existsSync(a) || !existsSync(b)) return path.resolve(a) === path.resolve(b);
  const [sa, sb] = [statSync(a), statSync(b)];
  return realpathSync(a) === realpathSync(b) || (sa.ino === sb.ino && sa.dev === sb.dev);
}

/** Writes a consistent copy of `db` to `target`, which must not exist yet (a backup never overwrites one). */
export async function backupDatabase(db: Db, target: string): Promise<BackupResult> {
  const file = path.resolve(target);
  if (existsSync(file)) throw new RestoreError(file, 'exists', 'already exists; choose a new file name for the backup');
  if (!db.memory && sameFile(file, db.name)) throw new RestoreError(file, 'live-database', 'is the live database');
  await db.backup(file);
  return { file, bytes: statSync(file).size, schemaVersion: db.pragma('user_version', { simple: true }) as number };
}

/** Checks that `file` is a sound Facet database this build can open; returns its schema version. */
export function checkBackup(file: string, liveFile?: string): number {
  if (!existsSync(file) || !statSync(file).isFile()) throw new RestoreError(file, 'missing', 'no such file');
  if (liveFile && sameFile(file, liveFile)) {
    throw new RestoreError(file, 'live-database', 'is the live database itself; restore from a backup copy');
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new RestoreError(file, 'not-sqlite', `cannot be opened as SQLite (${(error as Error).message})`);
  }
  try {
    let integrity: string[];
    try {
      integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((row) => row.integrity_check);
    } catch (error) {
      throw new RestoreError(file, 'not-sqlite', `is not a SQLite database (${(error as Error).message})`);
    }
    if (integrity.join() !== 'ok') throw new RestoreError(file, 'corrupt', `fails SQLite's integrity check: ${integrity.slice(0, 3).join('; ')}`);
    const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    const missing = FACET_TABLES.filter((table) => !tables.has(table));
    const version = db.pragma('user_version', { simple: true }) as number;
    if (missing.length > 0 || version < 1) throw new RestoreError(file, 'not-facet', `is not a Facet database (no ${missing.join(', ') || 'schema version'})`);
    if (version > LATEST_VERSION) {
      throw new RestoreError(file, 'too-new', `has schema version ${version}, from a newer Facet; this one knows up to ${LATEST_VERSION}`);
    }
    return version;
  } finally {
    db.close();
  }
}

/**
 * Replaces the database at `liveFile` with the backup at `source`, after checkBackup. The current database is
 * first copied (online backup, so its WAL is folded in) to `<live>.before-restore-<time>`; the backup is copied
 * next to the live file and renamed over it, so the live path never holds half a file.
 */
export async function restoreDatabase(source: string, liveFile: string, now = new Date()): Promise<RestoreResult> {
  const from = path.resolve(source), live = path.resolve(liveFile);
  const schemaVersion = checkBackup(from, live);
  let previous: string | null = null;
  if (existsSync(live)) {
    previous = `${live}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    const current = new Database(live, { fileMustExist: true });
    try {
      await current.backup(previous);
    } finally {
      current.close();
    }
  }
  const staging = `${live}.restoring`;
  copyFileSync(from, staging);
  // The old WAL and shared-memory files belong to the replaced database; left behind they would be replayed into the restored one.
  for (const suffix of ['-wal', '-shm']) rmSync(live + suffix, { force: true });
  renameSync(staging, live);
  return { restored: live, previous, schemaVersion };
}
