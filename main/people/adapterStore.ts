/**
 * Where an accepted adapter goes, and back: applying stores it as a setting (adapterRecord.ts), writes
 * adapted embeddings for every face under the derived model id (from the stored vectors: no image is
 * decoded), makes that id the embedder in use, in one transaction, then re-clusters; user decisions are
 * kept by construction (clustering never overwrites them). Rollback switches the embedder back; the
 * embeddings of both models stay.
 */
import { DEFAULT_EMBEDDER, clusterThresholdFor } from '../../native-models/catalog.ts';
import { SETTING_KEYS as SETTINGS } from '../core/settingKeys.ts';
import { type ClusterRunReport, clusterLibrary } from './clusterLibrary.ts';
import type { Store } from '../store/index.ts';
import { type LinearAdapter, applyAdapter } from '../learn/adapter.ts';
import {
  ADAPTER_SCHEMA, type AdapterRecord, adapterFromRecord, adapterSettingsKey, baseModelOf, derivedModelId, isAdapterSettingsKey, parseAdapterRecord,
  parseDerivedModelId, weightsForRecord,
} from '../learn/adapterRecord.ts';

/** The embedder in use and the base model under it. */
export function currentModels(store: Store): { current: string; base: string } {
  const current = (store.settings.get(SETTINGS.embedder) as string | undefined) ?? DEFAULT_EMBEDDER;
  return { current, base: baseModelOf(current) };
}

/**
 * Makes `embedderId` (a base network: catalogued or trained) the library's embedder, as Settings' Embedder list
 * does; the next scan embeds every face with it (libraryScan.ts). Choosing the base of the fine-tuned embedder in
 * use keeps the fine-tuned one. Returns the embedder in use before, and whether it changed.
 */
export function useEmbedder(store: Store, embedderId: string): { previous: string; switched: boolean } {
  const { current, base } = currentModels(store);
  if (embedderId === base) return { previous: current, switched: false };
  store.settings.set(SETTINGS.embedder, embedderId);
  return { previous: current, switched: true };
}

export interface AppliedAdapter {
  readonly derivedModelId: string;
  /** Faces given an adapted embedding. */
  readonly written: number;
  readonly clusterThreshold: number;
  readonly cluster: ClusterRunReport | null;
}

/**
 * Applies `adapter` to every face `base` has embedded and switches to the derived model.
 * `verificationThresholds` (best-accuracy thresholds on the labelled faces, before and after the adapter)
 * carry the base model's clustering threshold over to the adapted space; a threshold the user set stays.
 */
export function applyAdapterToLibrary(
  store: Store,
  base: string,
  adapter: LinearAdapter,
  verificationThresholds: { base: number; adapted: number },
  metrics: unknown,
  options: { recluster?: boolean } = {},
): AppliedAdapter {
  const key = adapterSettingsKey(base);
  const previous = parseAdapterRecord(store.settings.get(key), key);
  const serial = (previous?.serial ?? 0) + 1;
  const derived = derivedModelId(base, serial);
  const { faceIds, vectors, dimensions } = store.embeddings.listVectors(base);
  const adapted = applyAdapter(adapter, vectors);
  const stored = store.settings.get(SETTINGS.threshold) as number | undefined;
  // A threshold the adapter in use wrote (and the user left alone) is not the user's: this adapter replaces it,
  // so that a rollback removes it too instead of leaving the base model with an adapted threshold.
  const userThreshold = previous?.active && previous.setClusterThreshold && stored === previous.clusterThreshold ? undefined : stored;
  const clusterThreshold = userThreshold ?? derivedClusterThreshold(base, verificationThresholds.base, verificationThresholds.adapted);
  const record: AdapterRecord = {
    schema: ADAPTER_SCHEMA,
    baseModelId: base,
    derivedModelId: derived,
    serial,
    kind: 'linear',
    dim: adapter.dim,
    weights: weightsForRecord(adapter),
    createdAt: new Date().toISOString(),
    active: true,
    rolledBackAt: null,
    clusterThreshold,
    setClusterThreshold: userThreshold === undefined,
    metrics,
  };
  const written = store.transaction(() => {
    // The superseded adapter's weights are replaced below: its embeddings could never be rebuilt.
    if (previous && previous.derivedModelId !== derived) store.embeddings.deleteModel(previous.derivedModelId);
    const count = store.embeddings.putMany(derived, Array.from(faceIds, (faceId, i) => ({ faceId, vector: adapted.subarray(i * dimensions, (i + 1) * dimensions) })));
    store.settings.set(key, record);
    store.settings.set(SETTINGS.embedder, derived);
    if (record.setClusterThreshold) store.settings.set(SETTINGS.threshold, clusterThreshold);
    return count;
  });
  const cluster = options.recluster === false ? null : clusterLibrary(store, { modelId: derived });
  return { derivedModelId: derived, written, clusterThreshold, cluster };
}

/**
 * The base model's calibrated clustering threshold, scaled by how the adapter moved the verification
 * threshold (both chosen on the training faces); the adapted verification threshold when the base
 * model has no calibrated one.
 */
export function derivedClusterThreshold(base: string, baseVerification: number, adaptedVerification: number): number {
  let calibrated: number | undefined;
  try {
    calibrated = clusterThresholdFor(base);
  } catch {
    calibrated = undefined; // not in the catalog, or not calibrated: fall back below
  }
  const value = calibrated !== undefined && baseVerification > 0 ? (calibrated * adaptedVerification) / baseVerification : adaptedVerification;
  return Math.min(4, Math.max(0.01, value));
}

export interface RollbackReport {
  readonly status: 'rolled-back' | 'nothing-to-roll-back';
  readonly reason: string;
  readonly baseModelId: string;
  readonly derivedModelId: string | null;
  readonly cluster: ClusterRunReport | null;
}

/** Removes the clustering threshold applying the adapter wrote, and only that: not one the user has set since. */
function dropAdapterThreshold(store: Store, record: AdapterRecord): void {
  if (record.setClusterThreshold && store.settings.get(SETTINGS.threshold) === record.clusterThreshold) store.settings.delete(SETTINGS.threshold);
}

/**
 * Forgets every adapter: it was learnt from the user's named faces, so it is face data too ("Forget all face
 * data"). The embedder goes back to its base and a threshold an adapter set goes with it. Returns how many.
 */
export function forgetAdapters(store: Store): number {
  const { current, base } = currentModels(store);
  let forgotten = 0;
  store.transaction(() => {
    for (const [key, value] of Object.entries(store.settings.all())) {
      if (!isAdapterSettingsKey(key)) continue;
      let record: AdapterRecord | undefined;
      try {
        record = parseAdapterRecord(value, key);
      } catch {
        record = undefined; // a damaged record is forgotten all the same
      }
      if (record) dropAdapterThreshold(store, record);
      store.settings.delete(key);
      forgotten++;
    }
    if (current !== base) store.settings.set(SETTINGS.embedder, base);
  });
  return forgotten;
}

/** Switches the embedder back to the base model and re-clusters; both models' embeddings stay. */
export function rollbackAdapter(store: Store, options: { recluster?: boolean } = {}): RollbackReport {
  const { current, base } = currentModels(store);
  if (!parseDerivedModelId(current)) {
    return { status: 'nothing-to-roll-back', reason: `the embedder in use, ${current}, has no adapter`, baseModelId: base, derivedModelId: null, cluster: null };
  }
  const key = adapterSettingsKey(base);
  const record = parseAdapterRecord(store.settings.get(key), key);
  store.transaction(() => {
    store.settings.set(SETTINGS.embedder, base);
    if (record) {
      store.settings.set(key, { ...record, active: false, rolledBackAt: new Date().toISOString() });
      dropAdapterThreshold(store, record);
    }
  });
  const cluster = options.recluster === false ? null : clusterLibrary(store, { modelId: base });
  return { status: 'rolled-back', reason: `switched from ${current} back to ${base}`, baseModelId: base, derivedModelId: current, cluster };
}

/** The adapter the embedder in use applies to its base network's vectors, if any. */
export function activeAdapter(store: Store): LinearAdapter | undefined {
  const { current, base } = currentModels(store);
  if (!parseDerivedModelId(current)) return undefined;
  const key = adapterSettingsKey(base);
  const record = parseAdapterRecord(store.settings.get(key), key);
  if (!record || record.derivedModelId !== current) return undefined;
  return adapterFromRecord(record);
}

/** A base-network vector in the space of the embedder in use (the active adapter applied, if any). */
export function adaptVector(store: Store, baseVector: Float32Array): { modelId: string; vector: Float32Array } {
  const { current } = currentModels(store);
  const adapter = activeAdapter(store);
  return { modelId: current, vector: adapter ? applyAdapter(adapter, baseVector) : baseVector };
}

/**
 * Adapted embeddings for faces embedded by the base model since the adapter was applied (a scan after
 * fine-tuning embeds with the base model): call after each scan while a derived model is in use.
 */
export function adaptNewFaces(store: Store): number {
  const { current, base } = currentModels(store);
  const adapter = activeAdapter(store);
  if (!adapter) return 0;
  let written = 0;
  let after = 0;
  for (;;) {
    const missing = store.embeddings.facesWithout(current, 1000, after);
    if (missing.length === 0) return written;
    after = missing.at(-1)!;
    const entries = missing.flatMap((faceId) => {
      const vector = store.embeddings.get(faceId, base);
      return vector ? [{ faceId, vector: applyAdapter(adapter, vector) }] : [];
    });
    if (entries.length > 0) written += store.embeddings.putMany(current, entries);
  }
}

