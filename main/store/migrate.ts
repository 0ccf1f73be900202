import type Database from 'better-sqlite3';
import { DatabaseTooNewError } from './errors/databaseTooNewError.ts';
import { MigrationError } from './errors/migrationError.ts';
import type { Migration } from './migrations/migration.ts';

export interface MigrationOutcome {
  /** user_version before, and after. Equal when nothing was pending. */
  from: number;
  to: number;
}

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** The schema version a migration list leads to; 0 for an empty list. */
export function targetVersion(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

/**
 * Applies every pending migration in one IMMEDIATE transaction, then sets PRAGMA user_version.
 * IMMEDIATE takes the write lock up front and the version is read again under it, so two processes
 * opening the same file at once cannot both migrate. Leaves foreign_keys OFF; the caller turns it on.
 */
export function migrate(db: Database.Database, file: string, migrations: readonly Migration[]): MigrationOutcome {
  checkOrder(file, migrations);
  const target = targetVersion(migrations);
  const before = userVersion(db);
  if (before > target) throw new DatabaseTooNewError(file, before, target);
  if (before === target) return { from: before, to: before };

  // Switching foreign_keys is a no-op inside a transaction, so it happens here (see migration.ts).
  db.pragma('foreign_keys = OFF');
  const run = db.transaction((): MigrationOutcome => {
    const from = userVersion(db);
    if (from > target) throw new DatabaseTooNewError(file, from, target);
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      try {
        migration.up(db);
      } catch (cause) {
        throw new MigrationError(file, migration.version, `${migration.name}: ${String(cause)}`, { cause });
      }
    }
    const violations = db.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
    if (violations.length > 0) {
      const first = violations[0]!;
      throw new MigrationError(
        file,
        target,
        `${violations.length} foreign key violation(s), first: ${first.table} row ${first.rowid} -> ${first.parent}`,
      );
    }
    db.pragma(`user_version = ${target}`);
    return { from, to: target };
  });
  return run.immediate();
}

function checkOrder(file: string, migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationError(file, 0, `migration list is out of order: entry ${index} has version ${migration.version}`);
    }
  });
}
