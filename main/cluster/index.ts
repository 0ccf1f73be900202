/**
 * Public surface of the clustering core (pure functions over Float32Array; no I/O, no tfjs, no
 * workers). The worker-thread entry point is parallel/clusterFacesParallel.ts.
 */
export { clusterFaces } from './clusterFaces.ts';
export { cutTree } from './tree.ts';
export { referenceAgglomerative, type ReferenceMerge, type ReferenceResult } from './reference.ts';
export { prepareConstraints, type PreparedConstraints } from './constraints.ts';
export {
  assignIncremental,
  clusterSums,
  type ExistingCluster,
  type IncrementalInput,
  type IncrementalResult,
} from './incremental.ts';
export { matchClusters, type ClusterMatch, type MatchOptions } from './matchClusters.ts';
export { ClusterError, ClusterInputError, ClusterLimitError } from './errors.ts';
export type {
  ApproximateOptions,
  ClusterInput,
  ClusterMethod,
  ClusterProgress,
  ClusterResult,
  ClusterStats,
  ClusterSummary,
  ClusterTree,
  Linkage,
} from './types.ts';
