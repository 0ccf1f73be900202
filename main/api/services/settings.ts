/** Settings (threshold with a preview, models, backend), re-clustering, and forgetting all face data. */
import { CATALOG, clusterThresholdFor } from '../../../native-models/catalog.ts';
import { BACKEND_NAMES } from '../../embed/backend.ts';
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

export function getSettings(ctx: ApiContext): SettingsInfo {
  const { settings } = ctx.store;
  const linkage = settings.get(SETTING_KEYS.linkage);
  const minClusterSize = settings.get(SETTING_KEYS.minClusterSize);
  const models = (task: 'detector' | 'embedder') => CATALOG.filter((e) => e.task === task).map((e) => ({ id: e.id, description: e.description }));
  return {
    threshold: thresholdOf(ctx),
    linkage: (LINKAGES as readonly unknown[]).includes(linkage) ? (linkage as SettingsInfo['linkage']) : 'average',
    minClusterSize: typeof minClusterSize === 'number' ? minClusterSize : 3,
    detector: ctx.detectorId(),
    embedder: ctx.embedderId(),
    detectors: models('detector'),
    embedders: models('embedder'),
    backend: { requested: process.env.FACET_BACKEND ?? null, active: ctx.analyser.backend(), choices: [...BACKEND_NAMES] },
    embeddedModels: ctx.store.embeddings.models(),
  };
}

export function setSettings(ctx: ApiContext, request: ApiRequest<'settings.set'>): ApiResponse<'settings.set'> {
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
  });
  ctx.invalidateVectors();
  return getSettings(ctx);
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
  const result = ctx.store.forgetAllFaceData();
  ctx.invalidateVectors();
  return { faces: result.faces, persons: result.persons };
}
