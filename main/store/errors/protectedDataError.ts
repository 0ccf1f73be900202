import { StoreError } from './storeError.ts';

/**
 * Refused because it would delete something the user made (a name, a decision, a manual face, a library folder's photos).
 * The caller must ask the user and call again with the explicit option the message names.
 */
export class ProtectedDataError extends StoreError {
  override readonly name = 'ProtectedDataError';
  readonly table: string;
  /** Rows that hold the user's data, so the UI can show them. */
  readonly ids: readonly number[];

  constructor(table: string, ids: readonly number[], message: string) {
    super(`${table}: ${message}`);
    this.table = table;
    this.ids = ids;
  }
}
