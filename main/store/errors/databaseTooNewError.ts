import { StoreError } from './storeError.ts';

/**
 * The database was written by a newer Facet: its schema version is above every migration this build knows.
 * Thrown before anything is written, so the file is left exactly as it was.
 */
export class DatabaseTooNewError extends StoreError {
  override readonly name = 'DatabaseTooNewError';
  readonly file: string;
  /** PRAGMA user_version found in the file. */
  readonly version: number;
  /** The highest schema version this build can migrate to. */
  readonly supportedVersion: number;

  constructor(file: string, version: number, supportedVersion: number) {
    super(
      `${file} has schema version ${version}, written by a newer Facet; this version knows up to ${supportedVersion}. ` +
        'Update Facet to open it (the file was not changed).',
    );
    this.file = file;
    this.version = version;
    this.supportedVersion = supportedVersion;
  }
}
