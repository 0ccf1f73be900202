/** The CLI's way into the store: the database file comes from the command's context (--db, FACET_DB, FACET_HOME). */
import { type Store, openStore } from '../store/index.ts';

/** Opens the store at `database`, runs `work`, and closes it whatever happens. */
export async function withStore<T>(database: string, work: (store: Store) => T | Promise<T>): Promise<T> {
  const store = openStore(database);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}
