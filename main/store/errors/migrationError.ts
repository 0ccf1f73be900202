import { StoreError } from './storeError.ts';

/** A migration failed; every pending migration was rolled back with it and user_version is unchanged. */
export class MigrationError extends StoreError {
  override readonly name = 'MigrationError';
  readonly file: string;
  /** The migration that failed, or 0 when the failure was in the migration list itself. */
  readonly version: number;

  constructor(file: string, version: number, message: string, options?: ErrorOptions) {
    super(`${file}: migration ${version} failed: ${message}`, options);
    this.file = file;
    this.version = version;
  }
}
