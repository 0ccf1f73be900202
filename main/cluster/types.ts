/**
 * Value types of the clustering core. Pure data: no I/O, no tfjs.
 *
 * Distances are squared Euclidean between L2-normalised embeddings: d(x, y) = 2 - 2·dot(x, y),
 * in [0, 4]. A merge happens when the linkage distance is <= the threshold (inclusive).
 */

export type Linkage = 'average' | 'single' | 'complete';

/** Which algorithm produced a result. */
export type ClusterMethod =
  /** Nearest-neighbour chain over the exact threshold graph (all pairs within the threshold). */
  | 'exact-graph'
  /** Nearest-neighbour chain over all clusters, O(n) memory (average linkage only). */
  | 'exact-dense'
  /** Nearest-neighbour chain over an approximate k-nearest-neighbour graph. */
  | 'approximate-knn';

export interface ClusterInput {
  /** n rows of dim values, row-major, each row L2-normalised. */
  vectors: Float32Array;
  dim: number;
  /** Number of faces; defaults to vectors.length / dim. */
  n?: number;
  /** Merge while the linkage distance is <= threshold (squared L2, e.g. 1.0). */
  threshold: number;
  /**
   * Small-cluster caution rho in (0, 1]: a merge of clusters of a and b faces is kept only when its
   * average-linkage distance is <= threshold * (1 - (1 - rho) / sqrt(a * b)) (tree.ts, mergeLimit).
   * The distance between two single faces is one noisy sample, between larger clusters a mean over
   * a * b pairs, so the bar relaxes toward the threshold as the evidence grows. Default 1: the
   * plain threshold, for every merge.
   */
  caution?: number;
  /** Default 'average'. */
  linkage?: Linkage;
  /** Clusters smaller than this are not offered as people: label -1 (faces kept). Default 3. */
  minClusterSize?: number;
  /** Pairs of faces that must never share a cluster. */
  cannotLink?: ReadonlyArray<readonly [number, number]>;
  /** Photo of each face: faces of one photo never share a cluster. Negative = unknown photo. */
  photoIds?: ArrayLike<number>;
  /** Faces the user put together (unnamed): they start as one cluster and are never split. */
  mustLinkGroups?: ReadonlyArray<ReadonlyArray<number>>;
  /**
   * Faces of named persons, one group per person. Each group is one cluster from the start,
   * never split, never dropped as noise; two named persons never merge.
   */
  namedGroups?: ReadonlyArray<ReadonlyArray<number>>;
  /** Faces the user rejected from a named person (person = index into namedGroups). */
  rejections?: ReadonlyArray<{ face: number; person: number }>;
  /**
   * 1 = low-quality face: left out while clusters form, then attached to the nearest offered
   * cluster (average linkage to that cluster) when within the threshold, else label -1.
   */
  exclude?: Uint8Array;
  /**
   * The merge tree is kept complete up to this height (>= threshold), so cutTree can preview
   * any threshold up to it without re-clustering. Default: the threshold.
   */
  treeMaxThreshold?: number;
  /** 'auto' (default): exact up to exactMaxFaces, approximate above. */
  mode?: 'auto' | 'exact' | 'approximate';
  /** Largest n clustered exactly in 'auto' mode. Default 20,000. */
  exactMaxFaces?: number;
  /** Most threshold-graph edges the exact path may hold before it falls back (average) or fails. */
  maxGraphEdges?: number;
  /** Tuning of the approximate path. */
  approximate?: ApproximateOptions;
  /** Called now and then during long stages. */
  onProgress?: (progress: ClusterProgress) => void;
}

export interface ApproximateOptions {
  /** Neighbours kept per face (only those within the tree height). Default 16. */
  neighbours?: number;
  /** Target faces per leaf of the k-means tree. Default 512. */
  leafSize?: number;
  /** Leaves searched per face (its own and the nearest others). Default 4. */
  probes?: number;
  /** Faces left in kNN components smaller than this are searched again (pass 2). Default 32; 0 = no pass 2. */
  rescueBelow?: number;
  /** Leaves searched per face in pass 2. Default 2 × probes. */
  rescueProbes?: number;
  /** Seed of the k-means tree's sampling. Default 1. */
  seed?: number;
}

export interface ClusterProgress {
  stage: 'graph' | 'index' | 'merge' | 'finish';
  done: number;
  total: number;
}

/**
 * The merge tree (dendrogram). Merge m joined the clusters whose smallest face indices are
 * left[m] and right[m], at linkage distance height[m]. Must-link seeding merges come first
 * with height -Infinity. Heights never decrease from a child merge to its parent merge.
 */
export interface ClusterTree {
  n: number;
  left: Int32Array;
  right: Int32Array;
  height: Float64Array;
  /** The tree holds every merge up to this height (cutTree refuses higher thresholds). */
  maxHeight: number;
  /** Faces left out while clustering (exclude mask): never in a merge. */
  excluded?: Uint8Array;
  /** Named person of each face, -1 for none: clusters holding one are never noise. */
  personOf?: Int32Array;
  approximate: boolean;
}

export interface ClusterSummary {
  label: number;
  size: number;
  /** Face indices, ascending. */
  members: Int32Array;
  /** Index into namedGroups when the cluster holds a named person. */
  person?: number;
}

export interface ClusterResult {
  /** Cluster of each face, 0..clusters.length-1 (largest first), -1 = noise / unclustered. */
  labels: Int32Array;
  clusters: ClusterSummary[];
  /** True when the approximate path ran: the partition may differ slightly from the exact one. */
  approximate: boolean;
  method: ClusterMethod;
  tree: ClusterTree;
  /** Cannot-link pairs overridden because the user put both faces in one must-link/named group. */
  overriddenCannotLinks: Array<[number, number]>;
  stats: ClusterStats;
}

export interface ClusterStats {
  /** Undirected edges of the graph the merging ran on (0 for exact-dense). */
  graphEdges: number;
  /** Approximate path only: share of true within-threshold neighbours (up to k) the graph found, on a sample. */
  sampledRecall?: number;
  seconds: { graph: number; merge: number; total: number };
}
