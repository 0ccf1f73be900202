/**
 * A hierarchical k-means partition of unit vectors into leaves of at most `leafSize` faces
 * (as FLANN's k-means tree): each node splits its faces by spherical k-means trained on a
 * sample, down to leaves. Faces of one identity are tight, so they mostly share a leaf; the kNN
 * search also probes, per face, the leaves a best-bin-first search of the tree finds nearest.
 */
import { Random } from '../../core/random.ts';
import { forEachCloseDot } from '../vectorMath.ts';

export interface LeafPartition {
  leaves: number;
  /** Faces grouped by leaf: order[leafStart[l] .. leafStart[l + 1]) are leaf l's faces. */
  order: Int32Array;
  leafStart: Int32Array;
  tree: KMeansTree;
}

/** The tree for best-bin-first search: node 0 is the root (no centroid). */
export interface KMeansTree {
  nodes: number;
  /** Unit centroid of each node, [nodes, dim]. */
  centroids: Float32Array;
  /** Children of node v: children[childStart[v] .. childStart[v + 1]). */
  childStart: Int32Array;
  children: Int32Array;
  /** Leaf index of each node, -1 for inner nodes. */
  leafOf: Int32Array;
}

export interface PartitionOptions {
  leafSize: number;
  seed: number;
  /** Most children per node. Default 32. */
  branching?: number;
  /** Lloyd iterations per split. Default 8. */
  iterations?: number;
}

export function partitionIntoLeaves(
  vectors: Float32Array,
  n: number,
  dim: number,
  options: PartitionOptions,
): LeafPartition {
  const random = new Random(options.seed);
  const branching = options.branching ?? 32;
  const iterations = options.iterations ?? 8;
  const leafGroups: Int32Array[] = [];
  const nodeCentroids: Float32Array[] = [new Float32Array(dim)];
  const nodeChildren: number[][] = [[]];
  const leafOf: number[] = [-1];
  const addNode = (parent: number, centroid: Float32Array) => {
    nodeCentroids.push(centroid);
    nodeChildren.push([]);
    leafOf.push(-1);
    nodeChildren[parent].push(nodeCentroids.length - 1);
    return nodeCentroids.length - 1;
  };
  const pending: Array<[Int32Array, number]> = [[Int32Array.from({ length: n }, (_, i) => i), 0]];
  while (pending.length > 0) {
    const [faces, node] = pending.pop()!;
    if (faces.length <= options.leafSize) {
      leafOf[node] = leafGroups.push(faces) - 1;
      continue;
    }
    const k = Math.min(branching, Math.ceil(faces.length / options.leafSize));
    const split = splitByKMeans(vectors, dim, faces, k, iterations, random);
    if (split.length < 2) {
      // Identical vectors: no split makes progress, so cut the list into leaf-sized pieces.
      for (let s = 0; s < faces.length; s += options.leafSize) {
        const piece = faces.subarray(s, s + options.leafSize);
        leafOf[addNode(node, meanDirection(vectors, dim, piece))] = leafGroups.push(piece) - 1;
      }
    } else {
      for (const { faces: group, centroid } of split) pending.push([group, addNode(node, centroid)]);
    }
  }

  const leaves = leafGroups.length;
  const order = new Int32Array(n);
  const leafStart = new Int32Array(leaves + 1);
  leafGroups.forEach((faces, l) => {
    order.set(faces, leafStart[l]);
    leafStart[l + 1] = leafStart[l] + faces.length;
  });
  const nodes = nodeCentroids.length;
  const centroids = new Float32Array(nodes * dim);
  nodeCentroids.forEach((c, v) => centroids.set(c, v * dim));
  const childStart = new Int32Array(nodes + 1);
  nodeChildren.forEach((c, v) => (childStart[v + 1] = childStart[v] + c.length));
  const tree = { nodes, centroids, childStart, children: Int32Array.from(nodeChildren.flat()), leafOf: Int32Array.from(leafOf) };
  return { leaves, order, leafStart, tree };
}

/** Splits faces among k spherical k-means centroids trained on a sample; empty groups dropped. */
function splitByKMeans(
  vectors: Float32Array,
  dim: number,
  faces: Int32Array,
  k: number,
  iterations: number,
  random: Random,
): Array<{ faces: Int32Array; centroid: Float32Array }> {
  const sampleSize = Math.min(faces.length, 64 * k);
  const sample = gather(vectors, dim, sampleOf(faces, sampleSize, random));
  const centroids = initialCentroids(sample, sampleSize, dim, k, random);
  const members = new Int32Array(sampleSize);
  for (let it = 0; it < iterations; it++) {
    nearestCentroid(sample, sampleSize, centroids, k, dim, members);
    centroids.fill(0);
    for (let s = 0; s < sampleSize; s++) {
      const c = members[s];
      for (let d = 0; d < dim; d++) centroids[c * dim + d] += sample[s * dim + d];
    }
    for (let c = 0; c < k; c++) normalizeOrReseed(centroids, c, dim, sample, sampleSize, random);
  }

  // Assign every face in blocks (gathering keeps memory at one block).
  const assignment = new Int32Array(faces.length);
  const block = 4096;
  const rows = new Float32Array(block * dim);
  for (let s = 0; s < faces.length; s += block) {
    const part = faces.subarray(s, s + block);
    gather(vectors, dim, part, rows);
    nearestCentroid(rows, part.length, centroids, k, dim, assignment.subarray(s, s + part.length));
  }
  const sizes = new Int32Array(k);
  for (const c of assignment) sizes[c]++;
  const groups = Array.from(sizes, (size) => new Int32Array(size));
  const fill = new Int32Array(k);
  faces.forEach((face, i) => (groups[assignment[i]][fill[assignment[i]]++] = face));
  return groups
    .map((group, c) => ({ faces: group, centroid: centroids.slice(c * dim, (c + 1) * dim) }))
    .filter((g) => g.faces.length > 0);
}

/** k-means++ seeding on cosine distance. */
function initialCentroids(sample: Float32Array, size: number, dim: number, k: number, random: Random): Float32Array {
  const centroids = new Float32Array(k * dim);
  const closest = new Float64Array(size).fill(Infinity);
  let pick = random.int(size);
  for (let c = 0; c < k; c++) {
    centroids.set(sample.subarray(pick * dim, (pick + 1) * dim), c * dim);
    let total = 0;
    for (let s = 0; s < size; s++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += sample[s * dim + d] * centroids[c * dim + d];
      closest[s] = Math.min(closest[s], Math.max(0, 2 - 2 * dot));
      total += closest[s];
    }
    let target = random.next() * total;
    pick = size - 1;
    for (let s = 0; s < size; s++) {
      target -= closest[s];
      if (target < 0) {
        pick = s;
        break;
      }
    }
  }
  return centroids;
}

/** members[i] = index of the centroid with the largest dot product with row i. */
export function nearestCentroid(
  rows: Float32Array,
  count: number,
  centroids: Float32Array,
  k: number,
  dim: number,
  members: Int32Array,
): void {
  const best = new Float64Array(count).fill(-Infinity);
  forEachCloseDot(rows, 0, count, centroids, 0, k, dim, -Infinity, (i, c, dot) => {
    if (dot > best[i]) {
      best[i] = dot;
      members[i] = c;
    }
  });
}

function normalizeOrReseed(
  centroids: Float32Array,
  c: number,
  dim: number,
  sample: Float32Array,
  size: number,
  random: Random,
): void {
  let norm = 0;
  for (let d = c * dim; d < (c + 1) * dim; d++) norm += centroids[d] * centroids[d];
  if (norm === 0) {
    // An empty cluster restarts at a random sample point.
    const s = random.int(size);
    centroids.set(sample.subarray(s * dim, (s + 1) * dim), c * dim);
    return;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let d = c * dim; d < (c + 1) * dim; d++) centroids[d] *= scale;
}

function meanDirection(vectors: Float32Array, dim: number, faces: Int32Array): Float32Array {
  const mean = new Float64Array(dim);
  for (const f of faces) for (let d = 0; d < dim; d++) mean[d] += vectors[f * dim + d];
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += mean[d] * mean[d];
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Float32Array.from(mean, (x) => x * scale);
}

function sampleOf(faces: Int32Array, size: number, random: Random): Int32Array {
  if (size >= faces.length) return faces;
  const picked = Int32Array.from(faces);
  for (let i = 0; i < size; i++) {
    const j = i + random.int(picked.length - i);
    [picked[i], picked[j]] = [picked[j], picked[i]];
  }
  return picked.subarray(0, size);
}

/** Rows `rows` of vectors, copied into `out` (a new array by default). */
export function gather(
  vectors: Float32Array,
  dim: number,
  rows: ArrayLike<number>,
  out: Float32Array = new Float32Array(rows.length * dim),
): Float32Array {
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r] * dim;
    const to = r * dim;
    for (let d = 0; d < dim; d++) out[to + d] = vectors[from + d];
  }
  return out;
}
