import type Database from 'better-sqlite3';

/**
 * One schema step. Migrations run in version order, all pending ones inside a single transaction,
 * after which PRAGMA user_version is set to the last version; if any step throws, none of them happened.
 *
 * Rules for writing one:
 * - never edit a migration that has shipped; add the next number instead (one file each: `NNNN-what-it-does.ts`);
 * - `up` is synchronous and does SQL only (no await, no file I/O): it runs inside the transaction;
 * - foreign_keys is OFF while migrations run (SQLite only allows switching it outside a transaction), so a table
 *   can be rebuilt with SQLite's create-copy-drop-rename procedure without cascading deletes; the runner runs
 *   PRAGMA foreign_key_check before committing and refuses to commit a broken database.
 */
export interface Migration {
  readonly version: number;
  /** Short kebab-case description, as in the file name. */
  readonly name: string;
  up(db: Database.Database): void;
}
