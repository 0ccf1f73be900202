/** Which database file the CLI uses: --db (via FACET_DB), else the default in the user's data folder. */
import { openDatabase, resolveDatabasePath } from '../store/db.ts';

export { resolveDatabasePath };

export function openCliDatabase() {
  return openDatabase(resolveDatabasePath());
}
