import { StoreError } from './storeError.ts';

/** A value that must be unique is already taken, e.g. a person's name or a photo's path. */
export class ConflictError extends StoreError {
  override readonly name = 'ConflictError';
  readonly table: string;
  readonly field: string;
  readonly value: string;
  /** The row that already holds the value. */
  readonly existingId: number;

  constructor(table: string, field: string, value: string, existingId: number) {
    super(`${table}.${field} ${JSON.stringify(value)} is already used by row ${existingId}`);
    this.table = table;
    this.field = field;
    this.value = value;
    this.existingId = existingId;
  }
}
