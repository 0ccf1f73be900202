/**
 * The one scan pipeline every scan goes through (the CLI's scan and watch, the app's scan job and its
 * watcher): scan with the base network, give the new faces the active adapter's embedding, then sort
 * them into people. A fine-tuned embedder ("dlib-resnet+adapter2") is never a network a worker can load;
 * it is the base network plus a linear map, so scans always run the base network and the map is applied
 * here, from the stored vectors. Fine-tuning, rollback and model switches therefore never break a scan.
 *
 * Search by image and drawn boxes use `libraryVector`/`storeDescribedFace` for the same reason.
 */
import { DEFAULT_DETECTOR } from '../../native-models/catalog.ts';
import { SETTING_KEYS, SMALLEST_FACE_DEFAULT, SMALLEST_FACE_MAX, SMALLEST_FACE_MIN } from '../core/settingKeys.ts';
import type { ProgressListener } from '../core/progress.ts';
import { isPrecisionMode, resolvePrecision, type PrecisionMode } from '../embed/precision.ts';
import type { PhotoAnalyser } from '../faces/analysisPool.ts';
import { scanLibrary, type ScanReport } from './libraryScan.ts';
import type { Store } from '../store/index.ts';
import type { RegionReader } from '../xmp/exiftoolMetadata.ts';
import { adaptNewFaces, adaptVector, currentModels } from './adapterStore.ts';
import { namesFromMetadata } from './regionImport.ts';
import { reimportSidecars } from './watchRescan.ts';
import { type IncrementalRunReport, sortNewFacesAfterScan } from './sortNewFaces.ts';

/** The networks a scan runs: the detector and the base embedder a worker loads, and how small a face it looks for. */
export interface ScanNetworks {
  detectorId: string;
  embedderId: string;
  /** px of the decoded photo: the small-face pass's minFace (pipeline option smallFaces). */
  smallestFace: number;
  /** The library's precision setting; undefined where none is set (FACET_PRECISION, else the default, then). */
  precision?: PrecisionMode;
}

export interface LibraryScanOptions {
  store: Store;
  roots: string[];
  /** Makes the analyser for these networks; called only when some photo needs analysis. */
  createPool: (networks: ScanNetworks) => Promise<PhotoAnalyser>;
  /** Reads names already in the photos' XMP; without it none are imported. */
  reader?: RegionReader;
  /** Detector override (`facet scan --detector`); default the library's setting. */
  detectorId?: string;
  /**
   * Embed with this model instead of the library's (`facet scan --model`, a trained network): its vectors are
   * stored under its own id, and neither the adapter nor the sorting into people (which use the library's
   * model) apply to it unless it is the library's base model.
   */
  embedderId?: string;
  /** Smallest face override (`facet scan --smallest-face`); default the library's setting. */
  smallestFace?: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface LibraryScanReport extends ScanReport {
  /** The network the scan ran, and the model whose vectors people are sorted by. */
  embedderId: string;
  libraryModelId: string;
  /** New faces given the active adapter's embedding. */
  adapted: number;
  /** The new faces sorted into people and clusters; undefined before the library's first clustering. */
  clustering?: IncrementalRunReport;
}

export function scanNetworks(store: Store, overrides: { detectorId?: string; embedderId?: string; smallestFace?: number } = {}): ScanNetworks {
  const detector = store.settings.get(SETTING_KEYS.detector);
  return {
    detectorId: overrides.detectorId ?? (typeof detector === 'string' ? detector : DEFAULT_DETECTOR),
    embedderId: overrides.embedderId ?? currentModels(store).base,
    smallestFace: overrides.smallestFace ?? smallestFaceOf(store),
    precision: storedPrecision(store),
  };
}

function storedPrecision(store: Store): PrecisionMode | undefined {
  const value = store.settings.get(SETTING_KEYS.precision);
  return typeof value === 'string' && isPrecisionMode(value) ? value : undefined;
}

/** The precision scans use: the library's setting, else FACET_PRECISION, else the default. */
export function precisionOf(store: Store): PrecisionMode {
  return resolvePrecision(storedPrecision(store)).precision;
}

/** The library's smallest face to look for (Settings), else 40 px; a stored value out of range counts as unset. */
export function smallestFaceOf(store: Store): number {
  const value = store.settings.get(SETTING_KEYS.smallestFace);
  return typeof value === 'number' && Number.isInteger(value) && value >= SMALLEST_FACE_MIN && value <= SMALLEST_FACE_MAX ? value : SMALLEST_FACE_DEFAULT;
}

export async function scanIntoPeople(options: LibraryScanOptions): Promise<LibraryScanReport> {
  const { store } = options;
  const networks = scanNetworks(store, options);
  const models = currentModels(store);
  const report = await scanLibrary({
    store, roots: options.roots, detectorId: networks.detectorId, embedderId: networks.embedderId,
    createPool: () => options.createPool(networks), onProgress: options.onProgress, signal: options.signal,
    names: options.reader ? namesFromMetadata(options.reader) : undefined,
    sidecars: options.reader ? async (paths) => (await reimportSidecars(store, options.reader!, paths)).named : undefined,
  });
  const ownModel = networks.embedderId === models.base;
  const adapted = ownModel ? adaptNewFaces(store) : 0;
  const clustering = ownModel ? sortNewFacesAfterScan(store, models.current) : undefined;
  return { ...report, embedderId: networks.embedderId, libraryModelId: models.current, adapted, clustering };
}

/**
 * A vector the base network made (a search image, a drawn box), in the library's space: the active
 * adapter applied, so it compares with the stored vectors of the embedder in use.
 */
export function libraryVector(store: Store, baseVector: Float32Array): { modelId: string; vector: Float32Array } {
  return adaptVector(store, baseVector);
}

/** Stores the base network's vector of a new face and its adapted one, so every model in use has it. */
export function storeFaceVector(store: Store, faceId: number, baseModelId: string, baseVector: Float32Array): void {
  store.embeddings.put(faceId, baseModelId, baseVector);
  if (currentModels(store).base === baseModelId) adaptNewFaces(store);
}
