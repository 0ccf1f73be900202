/**
 * What every API service works with: the store, the event bus, the face analyser and the current model,
 * plus the small mappings from store rows to contract types. Services get this object, never globals,
 * so tests build one over an in-memory store with fakes for the models.
 */
import { DEFAULT_DETECTOR, DEFAULT_EMBEDDER } from '../../../native-models/catalog.ts';
import type { FaceListItem, Photo, Store, VectorSet } from '../../store/index.ts';
import type { FaceItem, PhotoItem } from '../contract.ts';
import type { EventBus } from '../events.ts';
import type { FaceAnalyser } from './faceAnalyser.ts';

export { SETTING_KEYS } from '../../core/settingKeys.ts';
import { SETTING_KEYS } from '../../core/settingKeys.ts';

export interface ApiContext {
  store: Store;
  events: EventBus;
  analyser: FaceAnalyser;
  /** The database file, shown in app.info. */
  databasePath: string;
  /** Analysis workers fixed for this session (`facet serve --workers N`), over the Settings screen's core limit. */
  scanWorkersOverride?: number;
  /** Vectors of the current embedder, cached until the library changes. */
  vectors(): VectorSet;
  /** Drops cached vectors after faces or embeddings changed. */
  invalidateVectors(): void;
  embedderId(): string;
  detectorId(): string;
}

export function createContext(init: Pick<ApiContext, 'store' | 'events' | 'analyser' | 'databasePath' | 'scanWorkersOverride'>): ApiContext {
  let cached: { key: string; set: VectorSet } | undefined;
  const embedderId = () => stringSetting(init.store, SETTING_KEYS.embedder) ?? DEFAULT_EMBEDDER;
  const context: ApiContext = {
    ...init,
    embedderId,
    detectorId: () => stringSetting(init.store, SETTING_KEYS.detector) ?? DEFAULT_DETECTOR,
    vectors() {
      const modelId = embedderId();
      // The count catches faces added or forgotten by a scan in this process or another (the CLI).
      const count = init.store.embeddings.models().find((m) => m.modelId === modelId)?.count ?? 0;
      const key = `${modelId}:${count}`;
      if (!cached || cached.key !== key) cached = { key, set: init.store.embeddings.listVectors(modelId) };
      return cached.set;
    },
    invalidateVectors() {
      cached = undefined;
    },
  };
  return context;
}

function stringSetting(store: Store, key: string): string | undefined {
  const value = store.settings.get(key);
  return typeof value === 'string' ? value : undefined;
}

export function toFaceItem(face: FaceListItem, source: 'detected' | 'manual' = 'detected'): FaceItem {
  return {
    faceId: face.id,
    photoId: face.photoId,
    box: face.box,
    personId: face.personId,
    personName: face.personName,
    clusterId: face.personId === null ? face.clusterId : null,
    quality: face.quality,
    source,
    ...(face.timeSeconds !== undefined ? { timeSeconds: face.timeSeconds } : {}),
  };
}

export function toPhotoItem(photo: Photo): PhotoItem {
  return {
    photoId: photo.id,
    path: photo.path,
    width: photo.width,
    height: photo.height,
    takenAt: photo.takenAt,
    dateSource: photo.dateSource,
    kind: photo.kind,
    durationSeconds: photo.durationSeconds,
    version: photo.contentHash ?? `${photo.size}-${Math.round(photo.mtimeMs)}`,
  };
}
