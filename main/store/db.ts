/**
 * Opening Facet's SQLite database: connection settings, migrations, and refusing a database from a newer Facet.
 * Everything here is synchronous (better-sqlite3), so no transaction can stay open across an await.
 * Repositories open their write transactions IMMEDIATE: the write lock is taken before the first read, so what
 * a transaction reads (is this row a user decision?) cannot change before it writes, even from another process;
 * a deferred one would instead fail with SQLITE_BUSY_SNAPSHOT when another connection wrote in between.
 */
import Database from 'better-sqlite3';
import { DatabaseTooNewError } from './errors/databaseTooNewError.ts';
import { migrate, targetVersion, userVersion } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import type { Migration } from './migrations/migration.ts';

export { defaultDatabasePath, defaultDataDir, resolveDatabasePath } from '../library/dataDir.ts';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** Migrations to apply; tests pass shorter or failing lists. Defaults to every migration this build knows. */
  migrations?: readonly Migration[];
  /** How long a statement waits for another connection's write lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the database at `file`, or a private in-memory one for ':memory:',
 * and brings its schema up to date. Throws DatabaseTooNewError, leaving the file untouched, when it was
 * written by a newer Facet, and MigrationError, with every pending migration rolled back, when one fails.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  const migrations = options.migrations ?? MIGRATIONS;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    // Read the version before any pragma that writes (journal_mode=WAL rewrites the header):
    // a database from a newer Facet must stay byte for byte as it was.
    const found = userVersion(db);
    const supported = targetVersion(migrations);
    if (found > supported) throw new DatabaseTooNewError(file, found, supported);

    if (!db.memory) db.pragma('journal_mode = WAL'); // readers never block the writer, nor it them
    db.pragma('synchronous = NORMAL'); // safe with WAL: a power cut may lose the last commits, never corrupt
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    migrate(db, file, migrations);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
