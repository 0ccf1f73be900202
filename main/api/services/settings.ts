/** Settings (threshold with a preview, models, backend), re-clustering, and forgetting all face data. */
import { forgetFaceData } from '../../people/decisions.ts';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CATALOG, clusterThresholdFor } from '../../../native-models/catalog.ts';
import { BACKEND_NAMES, parseBackendName } from '../../embed/backend.ts';
import { backgroundWorkerCount } from '../../faces/analysisPool.ts';
import os from 'node:os';
import type { Store } from '../../store/index.ts';
import { precisionOf, smallestFaceOf } from '../../people/scanPipeline.ts';
import { loadOnnxRuntime } from '../../embed/onnxRuntime.ts';
import { baseModelOf } from '../../learn/adapterRecord.ts';
import type { ApiRequest, ApiResponse, SettingsInfo } from '../contract.ts';
import { RequestError } from '../errors.ts';
import { ValidationError } from '../schema.ts';
import { SETTING_KEYS, type ApiContext } from './context.ts';

/** The clustering service, or a fake in tests. */
export interface ClusterService {
  clusterLibrary(ctx: ApiContext, options: { threshold?: number; minClusterSize?: number; modelId: string; onProgress: (e: { stage: string; done: number; total: number }) => void }): {
    runId: number; threshold: number; faces: number; clusters: number; unclustered: number; keptUserDecisions: number; seconds: number;
  };
  previewThreshold(ctx: ApiContext, threshold: number, modelId: string): { clusters: number; faces: number; unclustered: number };
}

const LINKAGES = ['average', 'single', 'complete'] as const;
/** Used when the embedder has no calibrated threshold in the catalog. */
const FALLBACK_THRESHOLD = 1.0;

function thresholdOf(ctx: ApiContext): number {
  const stored = ctx.store.settings.get(SETTING_KEYS.threshold);
  if (typeof stored === 'number') return stored;
  try {
    return clusterThresholdFor(ctx.embedderId());
  } catch {
    return FALLBACK_THRESHOLD;
  }
}

// ---------- the inference backend: which can load here, which did ----------

const require = createRequire(import.meta.url);
let loadedInWorkers: string | null = null;

/** The scan's analysis pool reports the backend its workers loaded (the main thread may have loaded none). */
export function noteLoadedBackend(name: string): void {
  loadedInWorkers = name;
}

/** Why a tfjs-node package cannot load here, or undefined when its native binding is in place. */
function tfjsNodeProblem(pkg: string): string | undefined {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return `${pkg} is not installed (its install downloads libtensorflow, which needs general internet access)`;
  }
  const lib = path.join(dir, 'lib');
  const bindings = existsSync(lib) ? readdirSync(lib).filter((d) => existsSync(path.join(lib, d, 'tfjs_binding.node'))) : [];
  return bindings.length > 0 ? undefined : `${pkg} is installed without its native binding (lib/napi-v*/tfjs_binding.node)`;
}

let probe: Promise<Array<{ name: string; reason?: string }>> | undefined;

/** Each backend in the order Facet tries them, with why it cannot load (probed once per process). */
export function probeBackends(): Promise<Array<{ name: string; reason?: string }>> {
  probe ??= Promise.all(
    BACKEND_NAMES.map(async (name) => {
      if (name === 'tensorflow-gpu') return { name, reason: tfjsNodeProblem('@tensorflow/tfjs-node-gpu') };
      if (name === 'tensorflow') return { name, reason: tfjsNodeProblem('@tensorflow/tfjs-node') };
      if (name === 'onnx') {
        const runtime = await loadOnnxRuntime();
        return { name, reason: runtime instanceof Error ? runtime.message : undefined };
      }
      return { name };
    }),
  );
  return probe;
}

/** The slider's useful range: around the embedder's calibrated threshold (0.4x to 2.5x), else the old wide range. */
export function thresholdRange(embedderId: string, current: number): SettingsInfo['thresholdRange'] {
  let calibrated: number | null = null;
  try {
    calibrated = clusterThresholdFor(baseModelOf(embedderId));
  } catch {
    calibrated = null;
  }
  if (calibrated === null) return { min: 0.05, max: Math.max(1.6, current), step: 0.01, calibrated };
  // Ends on the step's grid, so that every value the slider stops at is a round number (0.05, 0.055, ...).
  const step = 0.005;
  const onGrid = (x: number, round: (v: number) => number) => Math.round(round(x / step) * step * 1000) / 1000;
  return { min: onGrid(calibrated * 0.4, Math.floor), max: onGrid(Math.max(calibrated * 2.5, current * 1.2), Math.ceil), step, calibrated };
}

function requestedBackend(): string | null {
  const value = process.env.FACET_BACKEND;
  if (!value) return null;
  try {
    return parseBackendName(value);
  } catch {
    return value;
  }
}

export async function getSettings(ctx: ApiContext): Promise<SettingsInfo> {
  const { settings } = ctx.store;
  const linkage = settings.get(SETTING_KEYS.linkage);
  const minClusterSize = settings.get(SETTING_KEYS.minClusterSize);
  const models = (task: 'detector' | 'embedder') => CATALOG.filter((e) => e.task === task).map((e) => ({ id: e.id, description: e.description }));
  const backends = await probeBackends();
  const requested = requestedBackend();
  const threshold = thresholdOf(ctx);
  return {
    threshold,
    linkage: (LINKAGES as readonly unknown[]).includes(linkage) ? (linkage as SettingsInfo['linkage']) : 'average',
    minClusterSize: typeof minClusterSize === 'number' ? minClusterSize : 3,
    detector: ctx.detectorId(),
    embedder: ctx.embedderId(),
    detectors: models('detector'),
    embedders: models('embedder'),
    backend: {
      requested,
      active: ctx.analyser.backend() ?? loadedInWorkers,
      choices: backends.filter((b) => b.reason === undefined).map((b) => b.name),
      unavailable: backends.flatMap((b) => (b.reason === undefined ? [] : [{ name: b.name, reason: b.reason }])),
    },
    scan: { ...scanWorkers(ctx.store), ...(ctx.scanWorkersOverride === undefined ? {} : { sessionWorkers: ctx.scanWorkersOverride }) },
    thresholdRange: thresholdRange(ctx.embedderId(), threshold),
    embeddedModels: ctx.store.embeddings.models(),
  };
}

export async function setSettings(ctx: ApiContext, request: ApiRequest<'settings.set'>): Promise<ApiResponse<'settings.set'>> {
  for (const task of ['detector', 'embedder'] as const) {
    const id = request[task];
    if (id !== undefined && !CATALOG.some((e) => e.task === task && e.id === id)) {
      const known = CATALOG.filter((e) => e.task === task).map((e) => e.id).join(', ');
      throw new ValidationError(task, `unknown ${task} "${id}": use one of ${known}`);
    }
  }
  const { store } = ctx;
  store.transaction(() => {
    if (request.threshold !== undefined) store.settings.set(SETTING_KEYS.threshold, request.threshold);
    if (request.linkage !== undefined) store.settings.set(SETTING_KEYS.linkage, request.linkage);
    if (request.minClusterSize !== undefined) store.settings.set(SETTING_KEYS.minClusterSize, request.minClusterSize);
    if (request.detector !== undefined) store.settings.set(SETTING_KEYS.detector, request.detector);
    if (request.embedder !== undefined) store.settings.set(SETTING_KEYS.embedder, request.embedder);
    if (request.scanCores === null) store.settings.delete(SETTING_KEYS.scanCores);
    else if (request.scanCores !== undefined) store.settings.set(SETTING_KEYS.scanCores, request.scanCores);
    if (request.precision === null) store.settings.delete(SETTING_KEYS.precision);
    else if (request.precision !== undefined) store.settings.set(SETTING_KEYS.precision, request.precision);
    if (request.smallestFace === null) store.settings.delete(SETTING_KEYS.smallestFace);
    else if (request.smallestFace !== undefined) store.settings.set(SETTING_KEYS.smallestFace, request.smallestFace);
  });
  ctx.invalidateVectors();
  return getSettings(ctx);
}

/** The app's scans: the user's core limit (if set), the analysis workers it gives on this machine, the smallest face. */
export function scanWorkers(store: Store, machineCores = os.availableParallelism()): SettingsInfo['scan'] {
  const value = store.settings.get(SETTING_KEYS.scanCores);
  const cores = typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : null;
  return {
    cores, workers: backgroundWorkerCount(machineCores, cores ?? undefined), machineCores, smallestFace: smallestFaceOf(store), precision: precisionOf(store),
  };
}

function requireVectors(ctx: ApiContext): void {
  if (ctx.vectors().faceIds.length === 0) {
    throw new RequestError('library', `no faces with ${ctx.embedderId()} embeddings yet: add a folder and scan it first`);
  }
}

export function previewThreshold(ctx: ApiContext, service: ClusterService, { threshold }: ApiRequest<'settings.previewThreshold'>): ApiResponse<'settings.previewThreshold'> {
  if (ctx.vectors().faceIds.length === 0) return { clusters: 0, faces: 0, unclustered: 0 };
  return service.previewThreshold(ctx, threshold, ctx.embedderId());
}

export function runClustering(ctx: ApiContext, service: ClusterService, request: ApiRequest<'cluster.run'>): ApiResponse<'cluster.run'> {
  requireVectors(ctx);
  const report = service.clusterLibrary(ctx, {
    threshold: request.threshold ?? thresholdOf(ctx),
    minClusterSize: request.minClusterSize,
    modelId: ctx.embedderId(),
    onProgress: (e) => ctx.events.emit({ topic: 'cluster', ...e }),
  });
  const { runId, threshold, faces, clusters, unclustered, keptUserDecisions, seconds } = report;
  return { runId, threshold, faces, clusters, unclustered, keptUserDecisions, seconds };
}

export function forgetAll(ctx: ApiContext): ApiResponse<'settings.forgetAllFaceData'> {
  const result = forgetFaceData(ctx.store); // journaled, not undoable: the data is gone, as asked
  ctx.invalidateVectors();
  return result;
}
