/**
 * The merge tree and the partitions it holds: cut it at any threshold up to its height to
 * preview the people a threshold would give, without clustering again.
 */
import { ClusterInputError } from './errors.ts';
import type { ClusterSummary, ClusterTree } from './types.ts';
import { UnionFind } from './unionFind.ts';

/** Collects merges while clustering runs; heights are made monotone (a parent never below a child). */
export class TreeBuilder {
  private left: Int32Array;
  private right: Int32Array;
  private height: Float64Array;
  private count = 0;
  /** Height of the merge that formed each cluster, by the cluster's smallest face. */
  private readonly formedAt: Float64Array;

  constructor(n: number) {
    const capacity = Math.max(16, n);
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
    this.height = new Float64Array(capacity);
    this.formedAt = new Float64Array(n).fill(-Infinity);
  }

  /** Records a merge of the clusters whose smallest faces are a < b. */
  add(a: number, b: number, height: number): void {
    if (this.count === this.left.length) this.grow();
    const h = Math.max(height, this.formedAt[a], this.formedAt[b]);
    this.formedAt[a] = h;
    this.left[this.count] = a;
    this.right[this.count] = b;
    this.height[this.count] = h;
    this.count++;
  }

  build(n: number, maxHeight: number, approximate: boolean): ClusterTree {
    return {
      n,
      left: this.left.slice(0, this.count),
      right: this.right.slice(0, this.count),
      height: this.height.slice(0, this.count),
      maxHeight,
      approximate,
    };
  }

  private grow(): void {
    const size = this.left.length * 2;
    const left = new Int32Array(size);
    const right = new Int32Array(size);
    const height = new Float64Array(size);
    left.set(this.left);
    right.set(this.right);
    height.set(this.height);
    this.left = left;
    this.right = right;
    this.height = height;
  }
}

/** The largest distance at which clusters of a and b faces merge under a small-cluster caution (ClusterInput.caution). */
export function mergeLimit(threshold: number, caution: number, a: number, b: number): number {
  return caution >= 1 ? threshold : threshold * (1 - (1 - caution) / Math.sqrt(a * b));
}

/**
 * Smallest face index of each face's cluster after the merges with height <= threshold; with a
 * caution below 1, after the merges within their size's limit (mergeLimit). A refused merge
 * freezes both its sides, as a cut does: every later merge in the tree would contain them.
 */
export function partitionAt(tree: ClusterTree, threshold: number, caution = 1): Int32Array {
  if (!(threshold <= tree.maxHeight)) {
    throw new ClusterInputError('threshold', `${threshold} is above the tree's height ${tree.maxHeight}`);
  }
  if (caution < 1) return cautiousPartition(tree, threshold, caution);
  const sets = new UnionFind(tree.n);
  for (let m = 0; m < tree.left.length; m++) {
    if (tree.height[m] > threshold) continue;
    const a = sets.find(tree.left[m]);
    const b = sets.find(tree.right[m]);
    if (a !== b) sets.attach(Math.max(a, b), Math.min(a, b));
  }
  const root = new Int32Array(tree.n);
  for (let f = 0; f < tree.n; f++) root[f] = sets.find(f);
  return root;
}

function cautiousPartition(tree: ClusterTree, threshold: number, caution: number): Int32Array {
  const sets = new UnionFind(tree.n);
  const size = new Int32Array(tree.n).fill(1);
  const frozen = new Uint8Array(tree.n);
  // Heights are monotone up the tree (TreeBuilder), and a stable sort keeps a child before its parent on ties.
  const order = Array.from(tree.height.keys()).sort((x, y) => tree.height[x] - tree.height[y]);
  for (const m of order) {
    const a = sets.find(tree.left[m]);
    const b = sets.find(tree.right[m]);
    if (a === b) continue;
    if (frozen[a] || frozen[b] || tree.height[m] > mergeLimit(threshold, caution, size[a], size[b])) {
      frozen[a] = 1;
      frozen[b] = 1;
      continue;
    }
    const [root, child] = a < b ? [a, b] : [b, a];
    sets.attach(child, root);
    size[root] = size[a] + size[b];
  }
  const root = new Int32Array(tree.n);
  for (let f = 0; f < tree.n; f++) root[f] = sets.find(f);
  return root;
}

export interface LabelOptions {
  minClusterSize: number;
  /** Named person of each face, -1 for none. */
  personOf?: Int32Array;
  /** Faces left out of clustering: label -1 unless `root` puts them in an offered cluster. */
  excluded?: Uint8Array;
  /** Offered clusters, by root; computed from sizes when absent. */
  offered?: Uint8Array;
}

/**
 * Which clusters (by root) are offered as people: at least minClusterSize non-excluded faces,
 * or a named person.
 */
export function offeredRoots(root: Int32Array, options: LabelOptions): Uint8Array {
  const n = root.length;
  const size = new Int32Array(n);
  const offered = new Uint8Array(n);
  for (let f = 0; f < n; f++) {
    if (options.excluded?.[f]) continue;
    size[root[f]]++;
    if (options.personOf && options.personOf[f] >= 0) offered[root[f]] = 1;
  }
  for (let r = 0; r < n; r++) if (size[r] >= options.minClusterSize) offered[r] = 1;
  return offered;
}

/** Labels 0..k-1 for offered clusters, largest first (ties: smallest face first), -1 for the rest. */
export function labelClusters(
  root: Int32Array,
  options: LabelOptions,
): { labels: Int32Array; clusters: ClusterSummary[] } {
  const n = root.length;
  const offered = options.offered ?? offeredRoots(root, options);
  const size = new Int32Array(n);
  const inCluster = (f: number) => offered[root[f]] === 1 && (!options.excluded?.[f] || root[f] !== f);
  for (let f = 0; f < n; f++) if (inCluster(f)) size[root[f]]++;
  const roots: number[] = [];
  for (let r = 0; r < n; r++) if (size[r] > 0) roots.push(r);
  // Roots are their cluster's smallest face, so ties on size go to the smaller root.
  roots.sort((x, y) => size[y] - size[x] || x - y);
  const labelOfRoot = new Int32Array(n).fill(-1);
  roots.forEach((r, label) => (labelOfRoot[r] = label));

  const labels = new Int32Array(n).fill(-1);
  const members = roots.map((r) => new Int32Array(size[r]));
  const fill = new Int32Array(roots.length);
  const clusters: ClusterSummary[] = roots.map((r, label) => ({ label, size: size[r], members: members[label] }));
  for (let f = 0; f < n; f++) {
    if (!inCluster(f)) continue;
    const label = labelOfRoot[root[f]];
    labels[f] = label;
    members[label][fill[label]++] = f;
    const person = options.personOf?.[f] ?? -1;
    if (person >= 0) clusters[label].person = person;
  }
  return { labels, clusters };
}

/**
 * The clusters the tree gives at another threshold (<= tree.maxHeight), with the same labelling
 * and noise rule as clusterFaces. Excluded faces come out as -1 (attaching them needs vectors).
 */
export function cutTree(
  tree: ClusterTree,
  threshold: number,
  minClusterSize = 3,
  caution = 1,
): { labels: Int32Array; clusters: ClusterSummary[] } {
  const root = partitionAt(tree, threshold, caution);
  return labelClusters(root, { minClusterSize, personOf: tree.personOf, excluded: tree.excluded });
}
