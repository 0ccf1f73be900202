/** Every error the store throws on purpose; all extend StoreError. */
export { StoreError } from './storeError.ts';
export { DatabaseTooNewError } from './databaseTooNewError.ts';
export { MigrationError } from './migrationError.ts';
export { NotFoundError } from './notFoundError.ts';
export { ConflictError } from './conflictError.ts';
export { InvalidValueError } from './invalidValueError.ts';
export { ProtectedDataError } from './protectedDataError.ts';
export { MergeConflictError } from './mergeConflictError.ts';
export { DiskFullError, asDiskFullError } from './diskFullError.ts';
export { RestoreError, type RestoreProblem } from './restoreError.ts';
