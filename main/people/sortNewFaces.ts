/**
 * Incremental clustering of the library: faces that arrived since the last run (no person, no cluster)
 * join the named person or unnamed cluster they are within the threshold of (average linkage to all of
 * its faces), unless the user ruled that person out for them or it already has a face of their photo;
 * the rest are clustered among themselves into new clusters. Nothing already assigned moves, so it is
 * cheap after a scan; clusterLibrary() is the full re-run.
 */
import type { Store } from '../store/index.ts';
import { assignIncremental, type ExistingCluster } from '../cluster/incremental.ts';
import { resolveClusterSettings, type ClusterLibraryOptions } from './clusterLibrary.ts';

export interface IncrementalRunReport {
  runId: number | null;
  modelId: string;
  threshold: number;
  /** Faces considered: those with an embedding of the model that no clustering run has seen yet. */
  newFaces: number;
  joinedPersons: number;
  joinedClusters: number;
  newClusters: number;
  /** New faces left unsorted (noise, or in a group smaller than the minimum cluster size). */
  unclustered: number;
  seconds: number;
}

/** An existing group a new face may join: a person (all its faces) or an unnamed cluster. */
interface Unit {
  personId: number | null;
  clusterId: number | null;
  sum: Float64Array;
  count: number;
  photoIds: Set<number>;
  /** Cluster ids of a person's faces, counted: a face joining the person takes the most common one. */
  clusterVotes: Map<number, number>;
}

export function clusterNewFaces(store: Store, options: ClusterLibraryOptions = {}): IncrementalRunReport {
  const started = performance.now();
  const settings = resolveClusterSettings(store, options);
  const { faceIds, vectors, dimensions: dim } = store.embeddings.listVectors(settings.modelId);
  const rowOf = new Map<number, number>();
  faceIds.forEach((id, i) => rowOf.set(id, i));

  // A face the user rejected from someone never anchors an unnamed group: as in a full run (clusterLibrary's
  // waitingFaces), it is placed on its own and attracts nobody. Otherwise a rejected look-alike left in a
  // person's old cluster becomes a one-face group that the person's new faces join, nameless.
  const rejected = new Set(store.constraints.listAll().flatMap((c) => (c.kind === 'not' ? [c.faceId] : [])));
  const units = new Map<string, Unit>();
  const fresh: Array<{ faceId: number; row: number; photoId: number }> = [];
  let maxLabel = 0;
  for (const face of store.faces.iterate()) {
    const label = Number((face.clusterLabel ?? '').replace(/^c/, ''));
    if (Number.isFinite(label)) maxLabel = Math.max(maxLabel, label);
    const row = rowOf.get(face.id);
    if (row === undefined) continue;
    // New: never seen by a clustering run (no assignment row). Faces an earlier run left unsorted have
    // a row and wait for the next full run, so a scan that adds nothing writes nothing.
    if (face.assignedBy === null) {
      fresh.push({ faceId: face.id, row, photoId: face.photoId });
      continue;
    }
    if (face.personId === null && (face.clusterId === null || rejected.has(face.id))) continue;
    const key = face.personId !== null ? `p${face.personId}` : `c${face.clusterId}`;
    let unit = units.get(key);
    if (!unit) {
      unit = { personId: face.personId, clusterId: face.clusterId, sum: new Float64Array(dim), count: 0, photoIds: new Set(), clusterVotes: new Map() };
      units.set(key, unit);
    }
    for (let d = 0; d < dim; d++) unit.sum[d]! += vectors[row * dim + d]!;
    unit.count++;
    unit.photoIds.add(face.photoId);
    if (face.clusterId !== null) unit.clusterVotes.set(face.clusterId, (unit.clusterVotes.get(face.clusterId) ?? 0) + 1);
  }
  const report: IncrementalRunReport = {
    runId: null, modelId: settings.modelId, threshold: settings.threshold, newFaces: fresh.length,
    joinedPersons: 0, joinedClusters: 0, newClusters: 0, unclustered: 0, seconds: 0,
  };
  if (fresh.length === 0) return { ...report, seconds: (performance.now() - started) / 1000 };

  const unitList = [...units.values()];
  const unitOfPerson = new Map(unitList.flatMap((unit, u) => (unit.personId !== null ? [[unit.personId, u] as const] : [])));
  const freshIndex = new Map(fresh.map((face, f) => [face.faceId, f]));
  const rejections: Array<{ face: number; cluster: number }> = [];
  for (const constraint of store.constraints.listAll()) {
    if (constraint.kind !== 'not') continue;
    const face = freshIndex.get(constraint.faceId), cluster = unitOfPerson.get(constraint.personId);
    if (face !== undefined && cluster !== undefined) rejections.push({ face, cluster });
  }
  const freshVectors = new Float32Array(fresh.length * dim);
  fresh.forEach((face, f) => freshVectors.set(vectors.subarray(face.row * dim, (face.row + 1) * dim), f * dim));
  const existing: ExistingCluster[] = unitList.map((unit) => ({ sum: unit.sum, count: unit.count, photoIds: [...unit.photoIds] }));
  const result = assignIncremental({
    existing, vectors: freshVectors, dim, threshold: settings.threshold,
    photoIds: fresh.map((face) => face.photoId), rejections,
    rest: { linkage: settings.linkage, minClusterSize: settings.minClusterSize, caution: settings.caution },
  });

  // The run row, its clusters and the assignments in one transaction: a crash leaves no half run.
  const runId = store.transaction(() => {
    const run = store.clusters.startRun({ modelId: settings.modelId, threshold: settings.threshold, linkage: settings.linkage });
    const newIds = store.clusters.addClusters(run.id, result.newClusters.map((_, j) => `c${maxLabel + 1 + j}`));
    const rows = fresh.map((face, f) => {
      const label = result.labels[f]!;
      if (label < 0) return { faceId: face.faceId, personId: null, clusterId: null };
      if (label < unitList.length) {
        const unit = unitList[label]!;
        return { faceId: face.faceId, personId: unit.personId, clusterId: unit.clusterId ?? mostCommon(unit.clusterVotes) };
      }
      return { faceId: face.faceId, personId: null, clusterId: newIds.get(`c${maxLabel + 1 + label - unitList.length}`)! };
    });
    store.assignments.setAuto(rows);
    store.clusters.finishRun(run.id, 'done');
    return run.id;
  });
  for (let f = 0; f < fresh.length; f++) {
    const label = result.labels[f]!;
    if (label < 0) report.unclustered++;
    else if (label >= unitList.length) continue;
    else if (unitList[label]!.personId !== null) report.joinedPersons++;
    else report.joinedClusters++;
  }
  return { ...report, runId, newClusters: result.newClusters.length, seconds: (performance.now() - started) / 1000 };
}

/**
 * What a finished scan does: after the first clustering of `modelId`, its new faces join their people
 * (clusterNewFaces); before it there is nothing to join, and the user starts that one. Undefined then.
 */
export function sortNewFacesAfterScan(store: Store, modelId: string): IncrementalRunReport | undefined {
  return store.clusters.latestDoneRun(modelId) ? clusterNewFaces(store, { modelId }) : undefined;
}

function mostCommon(votes: Map<number, number>): number | null {
  let best: number | null = null, bestCount = 0;
  for (const [id, count] of votes) if (count > bestCount) { best = id; bestCount = count; }
  return best;
}
