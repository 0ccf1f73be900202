/**
 * Base class of every error the store throws on purpose. Each subclass has its own `name` and carries
 * the file, table or field it concerns, so a caller can branch on it and show it to the user as it is.
 * SQLite's own errors (SqliteError) pass through untouched where the store has nothing better to say.
 */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
}
