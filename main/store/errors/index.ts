/** Every error the store throws on purpose; all extend StoreError. */
export { StoreError } from './store-error.ts';
export { DatabaseTooNewError } from './database-too-new-error.ts';
export { MigrationError } from './migration-error.ts';
export { NotFoundError } from './not-found-error.ts';
export { ConflictError } from './conflict-error.ts';
export { InvalidValueError } from './invalid-value-error.ts';
export { ProtectedDataError } from './protected-data-error.ts';
export { MergeConflictError } from './merge-conflict-error.ts';
export { DiskFullError, asDiskFullError } from './disk-full-error.ts';
export { RestoreError, type RestoreProblem } from './restore-error.ts';
