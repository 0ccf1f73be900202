/**
 * The API as the app runs it: the store at a database file, scans on a worker pool, the clustering service,
 * and the models loaded on first use. Both the Electron shell and `facet serve` start here.
 */
import { ExifToolMetadata, type RegionReader } from '../xmp/exiftoolMetadata.ts';
import { AnalysisPool } from '../faces/analysisPool.ts';
import { currentModels } from '../people/adapterStore.ts';
import { scanIntoPeople, scanNetworks } from '../people/scanPipeline.ts';
import { clusterLibrary, previewThreshold } from '../people/clusterLibrary.ts';
import { openStore, type Store } from '../store/index.ts';
import { DEFAULT_DETECTOR, DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import { createApi, type Api } from './handlers.ts';
import { SETTING_KEYS } from './services/context.ts';
import { startLibraryWatch } from './services/libraryWatch.ts';
import { PoolFaceAnalyser } from './services/poolFaceAnalyser.ts';
import { noteLoadedBackend, scanWorkers, type ClusterService } from './services/settings.ts';
import type { ScanRunner } from './services/scanJob.ts';

export interface OpenApiOptions {
  databasePath: string;
  transport: 'http' | 'ipc';
  /** Scan worker threads (default: one per core). */
  workers?: number;
  /** Watch the library folders and scan what changes while the app runs. */
  watch?: boolean;
}

export const clusterService: ClusterService = {
  clusterLibrary: (ctx, options) => clusterLibrary(ctx.store, options),
  previewThreshold: (ctx, threshold, modelId) => previewThreshold(ctx.store, threshold, modelId),
};

/**
 * The app's scans: at low priority, so the machine stays usable, on `workers` analysis workers when given
 * (`facet serve --workers`), else as many as the Settings screen's core limit allows (scanWorkers), read
 * at each scan's start. A paused scan closes its pool: the workers and their memory are gone until the next.
 */
export function poolScanRunner(workers: number | undefined, reader?: RegionReader): ScanRunner {
  return (options) =>
    scanIntoPeople({
      ...options,
      reader,
      createPool: (networks) =>
        AnalysisPool.create({
          workers: workers ?? scanWorkers(options.store).workers,
          priority: 'low',
          pipeline: { detector: networks.detectorId, embedder: networks.embedderId, precision: networks.precision, smallFaces: { minFace: networks.smallestFace } },
        }).then((pool) => {
          noteLoadedBackend(pool.backend);
          return pool;
        }),
    });
}

function setting(store: Store, key: string, fallback: string): string {
  const value = store.settings.get(key);
  return typeof value === 'string' ? value : fallback;
}

export function openApi(options: OpenApiOptions): { api: Api; store: Store } {
  const store = openStore(options.databasePath);
  const analyser = new PoolFaceAnalyser({
    detectorId: () => setting(store, SETTING_KEYS.detector, DEFAULT_DETECTOR),
    // The base network: a fine-tuned embedder is that network plus an adapter the people layer applies.
    embedderId: () => currentModels(store).base,
    precision: () => scanNetworks(store).precision,
  });
  // One ExifTool reader for the app's life: names in the photos' XMP are imported by every scan.
  const regions = new ExifToolMetadata({ onWarning: (message) => console.warn(`facet: ${message}`) });
  const api = createApi({
    store,
    databasePath: options.databasePath,
    analyser,
    runScan: poolScanRunner(options.workers, regions),
    cluster: clusterService,
    transport: options.transport,
    scanWorkersOverride: options.workers,
  });
  const watching = options.watch
    ? startLibraryWatch(api, store, regions).catch((error: unknown) => {
        console.error('facet: the library folders are not watched:', error);
        return undefined;
      })
    : undefined;
  const close = async () => {
    await (await watching)?.close();
    await api.close();
    await regions.dispose();
  };
  return { api: { ...api, close }, store };
}
