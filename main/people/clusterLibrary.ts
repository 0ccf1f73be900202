/**
 * Clustering the library: reads the embeddings and every user decision from the store, runs
 * threshold-based agglomerative clustering with those decisions as constraints, and writes the
 * result as automatic assignments (which never overwrite the user's). Cluster identities carry
 * over between runs by overlap, so the people grid does not reshuffle.
 */
import { DEFAULT_EMBEDDER, clusterCautionFor, clusterThresholdFor } from '../../native-models/catalog.ts';
import { SETTING_KEYS as SETTINGS } from '../core/settingKeys.ts';
import type { Store } from '../store/index.ts';
import { clusterFaces } from '../cluster/clusterFaces.ts';
import { cutTree } from '../cluster/tree.ts';
import type { ClusterResult, ClusterTree, Linkage } from '../cluster/types.ts';

export interface ClusterLibraryOptions {
  threshold?: number;
  /** Small-cluster caution (ClusterInput.caution); default: the setting, else the embedder's calibrated one. */
  caution?: number;
  linkage?: Linkage;
  modelId?: string;
  minClusterSize?: number;
  /** Faces below this quality are left out while clusters form, then attached if close enough. */
  minQuality?: number;
  onProgress?: (event: { stage: string; done: number; total: number }) => void;
}

export interface ClusterRunReport {
  runId: number;
  modelId: string;
  threshold: number;
  caution: number;
  linkage: Linkage;
  faces: number;
  clusters: number;
  namedPersons: number;
  unclustered: number;
  approximate: boolean;
  method: string;
  keptUserDecisions: number;
  seconds: number;
}


interface LibrarySnapshot {
  modelId: string;
  faceIds: Uint32Array;
  vectors: Float32Array;
  dim: number;
  photoIds: Int32Array;
  quality: Float32Array;
  namedGroups: number[][];
  groupPersonIds: number[];
  rejections: Array<{ face: number; person: number }>;
  /** Rows of faces the user said are not someone (whoever that is). */
  rejectedFaces: number[];
}

function readSnapshot(store: Store, modelId: string): LibrarySnapshot {
  const { faceIds, vectors, dimensions } = store.embeddings.listVectors(modelId);
  const indexOf = new Map<number, number>();
  faceIds.forEach((id, i) => indexOf.set(id, i));
  const photoIds = new Int32Array(faceIds.length).fill(-1);
  const quality = new Float32Array(faceIds.length).fill(1);
  for (const face of store.faces.iterate()) {
    const i = indexOf.get(face.id);
    if (i === undefined) continue;
    photoIds[i] = face.photoId;
    quality[i] = face.quality ?? 1;
  }
  // Every person the user put faces in is a fixed group: never split, never dropped, never merged with another.
  const groups = new Map<number, number[]>();
  for (const decision of store.assignments.listUserDecisions()) {
    const i = indexOf.get(decision.faceId);
    if (i === undefined || decision.personId === null) continue;
    if (!groups.has(decision.personId)) groups.set(decision.personId, []);
    groups.get(decision.personId)!.push(i);
  }
  const groupPersonIds = [...groups.keys()];
  const groupOfPerson = new Map(groupPersonIds.map((personId, g) => [personId, g]));
  const rejections: Array<{ face: number; person: number }> = [];
  const rejectedFaces = new Set<number>();
  for (const constraint of store.constraints.listAll()) {
    if (constraint.kind !== 'not') continue;
    const face = indexOf.get(constraint.faceId), person = groupOfPerson.get(constraint.personId);
    if (face !== undefined) rejectedFaces.add(face);
    if (face !== undefined && person !== undefined) rejections.push({ face, person });
  }
  return {
    modelId, faceIds, vectors, dim: dimensions, photoIds, quality,
    namedGroups: groupPersonIds.map((id) => groups.get(id)!), groupPersonIds, rejections, rejectedFaces: [...rejectedFaces],
  };
}

/**
 * Faces that do not take part while clusters form, and are placed afterwards (each joins the nearest allowed
 * cluster within the threshold, or none): faces below `minQuality`, and every face the user rejected from a
 * person. A rejection then changes where that face goes and nothing else: every other face ends where it would
 * if the rejected face were not in the library (tested as a property in clusterLibrary.test.ts). Without this,
 * a rejected face of a named person's look-alike stays in the person's region of the tree, can pull the
 * person's cluster apart, and becomes a nameless attractor for the person's new faces.
 */
function waitingFaces(snapshot: LibrarySnapshot, minQuality: number | undefined): Uint8Array | undefined {
  if (minQuality === undefined && snapshot.rejectedFaces.length === 0) return undefined;
  const waiting = minQuality === undefined
    ? new Uint8Array(snapshot.faceIds.length)
    : Uint8Array.from(snapshot.quality, (q) => (q < minQuality ? 1 : 0));
  for (const face of snapshot.rejectedFaces) waiting[face] = 1;
  return waiting;
}

export function resolveClusterSettings(store: Store, options: ClusterLibraryOptions) {
  const modelId = options.modelId ?? (store.settings.get(SETTINGS.embedder) as string | undefined) ?? DEFAULT_EMBEDDER;
  return {
    modelId,
    threshold: options.threshold ?? (store.settings.get(SETTINGS.threshold) as number | undefined) ?? clusterThresholdFor(modelId),
    // A fine-tuned model ("dlib-resnet+adapter2") keeps its base network's calibration.
    caution: options.caution ?? (store.settings.get(SETTINGS.caution) as number | undefined) ?? clusterCautionFor(modelId.split('+')[0]!),
    linkage: options.linkage ?? (store.settings.get(SETTINGS.linkage) as Linkage | undefined) ?? 'average',
    minClusterSize: options.minClusterSize ?? (store.settings.get(SETTINGS.minClusterSize) as number | undefined) ?? 3,
  };
}

/** The tree of the last clustering in this process, so a threshold preview is a re-cut, not a re-run. */
let lastTree: { modelId: string; faces: number; linkage: Linkage; tree: ClusterTree; minClusterSize: number } | undefined;

/**
 * How far above the clustering threshold the merge tree is kept, so a preview is a re-cut. Kept
 * modest: the exact path collects every pair within the tree's height.
 */
const PREVIEW_HEADROOM = 0.3;

/** Grouping asked of a library that has no faces under the model yet: nothing is run or recorded. */
export class NoFacesToGroupError extends Error {
  override readonly name = 'NoFacesToGroupError';
  constructor(readonly modelId: string) {
    super(`no faces with ${modelId} embeddings yet: add a folder and scan it first`);
  }
}

export function clusterLibrary(store: Store, options: ClusterLibraryOptions = {}): ClusterRunReport {
  const started = performance.now();
  const settings = resolveClusterSettings(store, options);
  const snapshot = readSnapshot(store, settings.modelId);
  const n = snapshot.faceIds.length;
  if (n === 0) throw new NoFacesToGroupError(settings.modelId);
  const run = store.clusters.startRun({ modelId: settings.modelId, threshold: settings.threshold, linkage: settings.linkage });
  let result: ClusterResult;
  try {
    result = clusterFaces({
      vectors: snapshot.vectors,
      dim: snapshot.dim,
      n,
      threshold: settings.threshold,
      caution: settings.caution,
      linkage: settings.linkage,
      minClusterSize: settings.minClusterSize,
      photoIds: snapshot.photoIds,
      namedGroups: snapshot.namedGroups,
      rejections: snapshot.rejections,
      exclude: waitingFaces(snapshot, options.minQuality),
      treeMaxThreshold: Math.min(4, settings.threshold + PREVIEW_HEADROOM),
      onProgress: options.onProgress && ((p) => options.onProgress!({ stage: `cluster ${p.stage}`, done: p.done, total: p.total })),
    });
  } catch (error) {
    store.clusters.finishRun(run.id, 'failed', (error as Error).message);
    throw error;
  }
  lastTree = { modelId: settings.modelId, faces: n, linkage: settings.linkage, tree: result.tree, minClusterSize: settings.minClusterSize };

  const stableLabels = carryOverLabels(store, snapshot.faceIds, result.labels, result.clusters.length);
  const write = store.transaction(() => {
    const clusterIds = store.clusters.addClusters(run.id, stableLabels);
    const rows = Array.from(snapshot.faceIds, (faceId, i) => {
      const label = result.labels[i]!;
      if (label < 0) return { faceId, personId: null, clusterId: null };
      const person = result.clusters[label]!.person;
      return {
        faceId,
        personId: person === undefined ? null : snapshot.groupPersonIds[person]!,
        clusterId: clusterIds.get(stableLabels[label]!)!,
      };
    });
    const written = store.assignments.setAuto(rows);
    store.clusters.finishRun(run.id, 'done');
    return written;
  });
  return {
    runId: run.id,
    modelId: settings.modelId,
    threshold: settings.threshold,
    caution: settings.caution,
    linkage: settings.linkage,
    faces: n,
    clusters: result.clusters.length,
    namedPersons: snapshot.namedGroups.length,
    unclustered: result.labels.reduce((count, label) => count + (label < 0 ? 1 : 0), 0),
    approximate: result.approximate,
    method: result.method,
    keptUserDecisions: write.keptUserDecisions,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Stable cluster labels: each new cluster takes the label of the previous run's cluster it shares
 * the most faces with (greedy, largest overlaps first); the rest get fresh labels.
 */
function carryOverLabels(store: Store, faceIds: Uint32Array, labels: Int32Array, clusterCount: number): string[] {
  const previous = new Map<number, string>(); // faceId → previous stable label
  for (const face of store.faces.iterate()) {
    if (face.clusterId !== null) previous.set(face.id, String(face.clusterLabel ?? ''));
  }
  const overlaps = new Map<string, number>(); // "newLabel\u0000oldLabel" → count
  faceIds.forEach((faceId, i) => {
    const label = labels[i]!, old = previous.get(faceId);
    if (label < 0 || !old) return;
    const key = `${label}\u0000${old}`;
    overlaps.set(key, (overlaps.get(key) ?? 0) + 1);
  });
  const ranked = [...overlaps.entries()].sort((a, b) => b[1] - a[1]);
  const result: Array<string | undefined> = new Array(clusterCount);
  const usedOld = new Set<string>();
  for (const [key] of ranked) {
    const [newLabel, old] = key.split('\u0000') as [string, string];
    const index = Number(newLabel);
    if (result[index] !== undefined || usedOld.has(old)) continue;
    result[index] = old;
    usedOld.add(old);
  }
  let next = 1 + Math.max(0, ...[...usedOld, ...previous.values()].map((label) => Number(label.replace(/^c/, '')) || 0));
  return Array.from(result, (label) => label ?? `c${next++}`);
}

/** How many clusters a threshold would give, from the kept merge tree (re-clustering only if none is kept). */
export function previewThreshold(store: Store, threshold: number, modelId?: string): { clusters: number; faces: number; unclustered: number } {
  const settings = resolveClusterSettings(store, { modelId, threshold });
  const faces = store.embeddings.models().find((model) => model.modelId === settings.modelId)?.count ?? 0;
  if (faces === 0) return { clusters: 0, faces: 0, unclustered: 0 };
  if (!lastTree || lastTree.modelId !== settings.modelId || lastTree.faces !== faces || threshold > lastTree.tree.maxHeight) {
    const snapshot = readSnapshot(store, settings.modelId);
    const result = clusterFaces({
      vectors: snapshot.vectors, dim: snapshot.dim, n: snapshot.faceIds.length, threshold,
      linkage: settings.linkage, minClusterSize: settings.minClusterSize, photoIds: snapshot.photoIds,
      namedGroups: snapshot.namedGroups, rejections: snapshot.rejections, exclude: waitingFaces(snapshot, undefined),
      treeMaxThreshold: Math.min(4, threshold + PREVIEW_HEADROOM),
    });
    lastTree = { modelId: settings.modelId, faces: snapshot.faceIds.length, linkage: settings.linkage, tree: result.tree, minClusterSize: settings.minClusterSize };
  }
  const cut = cutTree(lastTree.tree, threshold, settings.minClusterSize, settings.caution);
  return { clusters: cut.clusters.length, faces, unclustered: cut.labels.reduce((count, label) => count + (label < 0 ? 1 : 0), 0) };
}
