/**
 * The approximate path's graph, in two passes:
 *  1. all faces: a k-means tree partition, then each face's k nearest within the radius among
 *     its own leaf and the other leaves a best-bin-first search of the tree finds nearest;
 *  2. the faces that pass 1 left in small components (people seen a few times, whose faces
 *     scatter over the tree) are searched again among themselves, with a tree of their own and
 *     twice the probes, since they are fewer.
 * The k-nearest lists are then symmetrised into a graph over face indices. A sample of faces
 * is checked against brute force to report the share of true neighbours found.
 */
import { graphFromKnn, type BuiltGraph } from '../graph.ts';
import { gather, partitionIntoLeaves } from './kmeansTree.ts';
import type { KnnJob } from './knnSearch.ts';
import type { ClusterPlan } from '../plan.ts';
import { Random } from '../../core/random.ts';
import type { Memory, OnTask, Stage } from '../stage.ts';
import { UnionFind } from '../unionFind.ts';
import { distanceFromDot, forEachCloseDot, minDotForRadius } from '../vectorMath.ts';

/** Faces whose neighbours are checked against brute force for sampledRecall. */
const RECALL_SAMPLE = 64;

export interface KnnSearchOptions {
  k: number;
  leafSize: number;
  probes: number;
  seed: number;
  radius: number;
}

/**
 * k nearest faces within the radius for each row of `vectors` ([n, dim]), as row indices
 * (rows of k, ascending distance, -1 = empty), with the distances.
 */
export function* searchKnn(
  vectors: Float32Array,
  n: number,
  dim: number,
  options: KnnSearchOptions,
  memory: Memory,
  onTask: OnTask,
  onIndex: () => void = () => {},
): Stage<{ rows: Int32Array; distances: Float32Array }> {
  const { k, leafSize, probes, seed, radius } = options;
  const partition = partitionIntoLeaves(vectors, n, dim, { leafSize, seed });
  onIndex();
  const { leaves, order, tree } = partition;
  const job: KnnJob = {
    vectors: gather(vectors, dim, order, memory.float32(n * dim)),
    n,
    dim,
    radius,
    k,
    probes,
    leaves,
    leafStart: copyInto(memory.int32(leaves + 1), partition.leafStart),
    nodeCentroids: copyInto(memory.float32(tree.centroids.length), tree.centroids),
    childStart: copyInto(memory.int32(tree.childStart.length), tree.childStart),
    children: copyInto(memory.int32(tree.children.length), tree.children),
    leafOf: copyInto(memory.int32(tree.leafOf.length), tree.leafOf),
    knnRow: memory.int32(n * k).fill(-1),
    knnDistance: memory.float32(n * k),
  };
  yield { kind: 'knn', job, onTask };

  // Back from leaf order to the caller's rows.
  const rows = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    const face = order[r];
    for (let e = 0; e < k; e++) {
      const other = job.knnRow[r * k + e];
      rows[face * k + e] = other < 0 ? -1 : order[other];
      distances[face * k + e] = job.knnDistance[r * k + e];
    }
  }
  return { rows, distances };
}

export function* knnGraphStage(plan: ClusterPlan, memory: Memory): Stage<BuiltGraph> {
  const started = performance.now();
  const { m: n, dim, vectors } = plan;
  const { neighbours: k, leafSize, probes, seed, rescueBelow, rescueProbes } = plan.approximate;
  const options = { k, leafSize, probes, seed, radius: plan.maxHeight };
  const progress = (done: number, total: number) => plan.onProgress({ stage: 'graph', done, total });
  const indexed = () => plan.onProgress({ stage: 'index', done: 1, total: 1 });

  const first = yield* searchKnn(vectors, n, dim, options, memory, progress, indexed);
  const scattered = facesInSmallComponents(first.rows, n, k, rescueBelow);
  if (scattered.length > 1) {
    const second = yield* searchKnn(
      gather(vectors, dim, scattered),
      scattered.length,
      dim,
      { ...options, probes: rescueProbes, seed: seed + 1 },
      memory,
      progress,
      indexed,
    );
    mergeLists(first, second, scattered, k);
  }
  const sampledRecall = measureRecall(plan, first.rows, k);
  return { graph: graphFromKnn(n, k, first.rows), seconds: (performance.now() - started) / 1000, sampledRecall };
}

/** Faces whose connected component in the kNN graph has fewer than `below` faces. */
function facesInSmallComponents(rows: Int32Array, n: number, k: number, below: number): Int32Array {
  const sets = new UnionFind(n);
  for (let f = 0; f < n; f++) {
    for (let e = f * k; e < f * k + k && rows[e] >= 0; e++) {
      const a = sets.find(f);
      const b = sets.find(rows[e]);
      if (a !== b) sets.attach(a, b);
    }
  }
  const size = new Int32Array(n);
  for (let f = 0; f < n; f++) size[sets.find(f)]++;
  const faces: number[] = [];
  for (let f = 0; f < n; f++) if (size[sets.find(f)] < below) faces.push(f);
  return Int32Array.from(faces);
}

/** Folds pass-2 lists (rows of `subset`) into the pass-1 lists: k nearest of both, no repeats. */
function mergeLists(
  into: { rows: Int32Array; distances: Float32Array },
  from: { rows: Int32Array; distances: Float32Array },
  subset: Int32Array,
  k: number,
): void {
  const rows = new Int32Array(k);
  const distances = new Float32Array(k);
  subset.forEach((face, s) => {
    let a = face * k;
    let b = s * k;
    const aEnd = a + k;
    const bEnd = b + k;
    let count = 0;
    while (count < k) {
      const ra = a < aEnd ? into.rows[a] : -1;
      const rb = b < bEnd && from.rows[b] >= 0 ? subset[from.rows[b]] : -1;
      if (ra < 0 && rb < 0) break;
      const takeA = rb < 0 || (ra >= 0 && into.distances[a] <= from.distances[b]);
      const row = takeA ? ra : rb;
      const distance = takeA ? into.distances[a++] : from.distances[b++];
      if (rows.subarray(0, count).includes(row)) continue;
      rows[count] = row;
      distances[count++] = distance;
    }
    into.rows.fill(-1, face * k, face * k + k);
    into.rows.set(rows.subarray(0, count), face * k);
    into.distances.set(distances.subarray(0, count), face * k);
  });
}

/**
 * Share of true neighbours found: for sampled faces, the min(k, #within radius) nearest by
 * brute force, against the k the search kept.
 */
function measureRecall(plan: ClusterPlan, knn: Int32Array, k: number): number {
  const { m: n, dim, vectors } = plan;
  const random = new Random(plan.approximate.seed + 17);
  const sample = Array.from({ length: Math.min(RECALL_SAMPLE, n) }, () => random.int(n));
  const near: Array<Array<[number, number]>> = sample.map(() => []);
  // One blocked pass of the sampled rows against all faces.
  forEachCloseDot(gather(vectors, dim, sample), 0, sample.length, vectors, 0, n, dim, minDotForRadius(plan.maxHeight), (s, j, dot) => {
    if (j !== sample[s]) near[s].push([distanceFromDot(dot), j]);
  });
  let expected = 0;
  let found = 0;
  sample.forEach((face, s) => {
    near[s].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const truth = near[s].slice(0, k).map(([, j]) => j);
    const kept = new Set(knn.subarray(face * k, face * k + k));
    expected += truth.length;
    for (const j of truth) if (kept.has(j)) found++;
  });
  return expected === 0 ? 1 : found / expected;
}

function copyInto<T extends Int32Array | Float32Array>(target: T, source: ArrayLike<number>): T {
  target.set(source);
  return target;
}
