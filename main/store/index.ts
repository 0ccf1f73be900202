/**
 * Facet's SQLite store: the public surface, listed explicitly. Only this folder runs SQL;
 * everything else goes through these repositories.
 */
export { openStore, createStore, type Store } from './store.ts';
export { openDatabase, defaultDatabasePath, defaultDataDir, resolveDatabasePath, type Db, type OpenDatabaseOptions } from './db.ts';
export { MIGRATIONS, LATEST_VERSION, type Migration } from './migrations/index.ts';
export * from './errors/index.ts';

export { RootsRepository, type LibraryRoot } from './rootsRepository.ts';
export {
  PhotosRepository,
  type Photo,
  type PhotoInput,
  type PhotoStatus,
  type PhotoCounts,
  type RescanEntry,
  type UpsertPhotoResult,
} from './photosRepository.ts';
export {
  FacesRepository,
  type Face,
  type FaceInput,
  type FaceFilter,
  type FaceListItem,
  type FaceSource,
} from './facesRepository.ts';
export { EmbeddingsRepository, type EmbeddingEntry, type VectorSet } from './embeddingsRepository.ts';
export {
  PersonsRepository,
  normalisePersonName,
  type Person,
  type PersonWithFaceCount,
  type NewPerson,
  type MergeOptions,
  type MergeResult,
} from './personsRepository.ts';
export {
  AssignmentsRepository,
  type Assignment,
  type AssignmentSource,
  type AutoAssignment,
  type AutoAssignmentResult,
  type FaceMembership,
} from './assignmentsRepository.ts';
export { ConstraintsRepository, type Constraint, type ConstraintKind } from './constraintsRepository.ts';
export {
  ClustersRepository,
  type ClusterRun,
  type ClusterRunStatus,
  type ClusterSummary,
  type NewClusterRun,
} from './clustersRepository.ts';
export { SettingsRepository } from './settingsRepository.ts';
export { JournalRepository, type DecisionRecord, type NewDecision } from './journalRepository.ts';
export { forgetAllFaceData, forgetRoot, type ForgetFaceDataResult, type ForgetRootResult } from './forget.ts';
