/** Which database file the CLI uses: --db (via FACET_DB), else the default in the user's data folder. */
import path from 'node:path';
import { defaultDatabasePath, openDatabase } from '../store/db.ts';

export function resolveDatabasePath(): string {
  return process.env.FACET_DB ? path.resolve(process.env.FACET_DB) : defaultDatabasePath();
}

export function openCliDatabase() {
  return openDatabase(resolveDatabasePath());
}
