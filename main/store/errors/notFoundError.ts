import { StoreError } from './storeError.ts';

/** A row the caller named by id does not exist (or no longer does: another window may have removed it). */
export class NotFoundError extends StoreError {
  override readonly name = 'NotFoundError';
  /** Table the row was looked up in, e.g. 'persons'. */
  readonly table: string;
  readonly id: number | string;

  constructor(table: string, id: number | string) {
    super(`${table} has no row ${JSON.stringify(id)}`);
    this.table = table;
    this.id = id;
  }
}
