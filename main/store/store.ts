/** The store as the rest of Facet sees it: one connection and a repository per table group. */
import { AssignmentsRepository } from './assignmentsRepository.ts';
import { ClustersRepository } from './clustersRepository.ts';
import { ConstraintsRepository } from './constraintsRepository.ts';
import { defaultDatabasePath, openDatabase, type Db, type OpenDatabaseOptions } from './db.ts';
import { EmbeddingsRepository } from './embeddingsRepository.ts';
import { FacesRepository } from './facesRepository.ts';
import { forgetAllFaceData, forgetRoot, truncateWal, withSecureDelete, type ForgetFaceDataResult, type ForgetRootResult } from './forget.ts';
import { JournalRepository } from './journalRepository.ts';
import { PersonsRepository } from './personsRepository.ts';
import { PhotosRepository } from './photosRepository.ts';
import { RootsRepository } from './rootsRepository.ts';
import { SettingsRepository } from './settingsRepository.ts';

export interface Store {
  readonly db: Db;
  readonly roots: RootsRepository;
  readonly photos: PhotosRepository;
  readonly faces: FacesRepository;
  readonly embeddings: EmbeddingsRepository;
  readonly persons: PersonsRepository;
  readonly assignments: AssignmentsRepository;
  readonly constraints: ConstraintsRepository;
  readonly clusters: ClustersRepository;
  readonly settings: SettingsRepository;
  /** The user's decisions, with what reverses each. */
  readonly journal: JournalRepository;
  /** Runs `work` in one transaction (nesting uses savepoints). `work` must be synchronous: no await inside. */
  transaction<T>(work: () => T): T;
  forgetAllFaceData(): ForgetFaceDataResult;
  forgetRoot(rootId: number): ForgetRootResult;
  /** Empties the WAL into the database (after a forget inside a transaction); false when a reader holds it. */
  truncateWal(): boolean;
  /** Runs `work` with deleted pages overwritten (secure_delete), for forgetting more than forgetAllFaceData does. */
  securely<T>(work: () => T): T;
  close(): void;
}

/** Opens the database at `file` (default: the user's data folder) and builds the repositories on it. */
export function openStore(file: string = defaultDatabasePath(), options?: OpenDatabaseOptions): Store {
  return createStore(openDatabase(file, options));
}

export function createStore(db: Db): Store {
  return {
    db,
    roots: new RootsRepository(db),
    photos: new PhotosRepository(db),
    faces: new FacesRepository(db),
    embeddings: new EmbeddingsRepository(db),
    persons: new PersonsRepository(db),
    assignments: new AssignmentsRepository(db),
    constraints: new ConstraintsRepository(db),
    clusters: new ClustersRepository(db),
    settings: new SettingsRepository(db),
    journal: new JournalRepository(db),
    transaction: <T>(work: () => T): T => {
      // An async function would commit at its first await, leaving the rest outside the transaction.
      if (work.constructor.name === 'AsyncFunction') throw new TypeError('store.transaction: work must not be async');
      return db.transaction(work).immediate();
    },
    forgetAllFaceData: () => forgetAllFaceData(db),
    forgetRoot: (rootId) => forgetRoot(db, rootId),
    truncateWal: () => truncateWal(db),
    securely: (work) => withSecureDelete(db, work),
    close: () => {
      db.close();
    },
  };
}
