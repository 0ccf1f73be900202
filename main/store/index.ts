/**
 * Facet's SQLite store: the public surface, listed explicitly. Only this folder runs SQL;
 * everything else goes through these repositories.
 */
export { openStore, createStore, type Store } from './store.ts';
export { openDatabase, defaultDatabasePath, defaultDataDir, type Db, type OpenDatabaseOptions } from './db.ts';
export { MIGRATIONS, LATEST_VERSION, type Migration } from './migrations/index.ts';
export * from './errors/index.ts';

export { RootsRepository, type LibraryRoot } from './roots-repository.ts';
export {
  PhotosRepository,
  type Photo,
  type PhotoInput,
  type PhotoStatus,
  type PhotoCounts,
  type RescanEntry,
  type UpsertPhotoResult,
} from './photos-repository.ts';
export {
  FacesRepository,
  type Face,
  type FaceInput,
  type FaceFilter,
  type FaceListItem,
  type FaceSource,
} from './faces-repository.ts';
export { EmbeddingsRepository, type EmbeddingEntry, type VectorSet } from './embeddings-repository.ts';
export {
  PersonsRepository,
  normalisePersonName,
  type Person,
  type PersonWithFaceCount,
  type NewPerson,
  type MergeOptions,
  type MergeResult,
} from './persons-repository.ts';
export {
  AssignmentsRepository,
  type Assignment,
  type AssignmentSource,
  type AutoAssignment,
  type AutoAssignmentResult,
} from './assignments-repository.ts';
export { ConstraintsRepository, type Constraint, type ConstraintKind } from './constraints-repository.ts';
export {
  ClustersRepository,
  type ClusterRun,
  type ClusterRunStatus,
  type ClusterSummary,
  type NewClusterRun,
} from './clusters-repository.ts';
export { SettingsRepository } from './settings-repository.ts';
export { forgetAllFaceData, forgetRoot, type ForgetFaceDataResult, type ForgetRootResult } from './forget.ts';
