import { StoreError } from './storeError.ts';

/** A value given to a repository breaks a rule of the schema (empty name, relative path, NaN in a vector...). */
export class InvalidValueError extends StoreError {
  override readonly name = 'InvalidValueError';
  /** `table.column` the value was meant for. */
  readonly field: string;
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}
