/**
 * clusterFaces: agglomerative clustering of face embeddings with a distance threshold.
 *
 * Exact path (n <= exactMaxFaces): the threshold graph (all pairs within the tree height) by
 * blocked dot products, then the nearest-neighbour chain over it; identical to the brute-force
 * reference (reference.ts). Falls back to the O(n)-memory dense chain (average linkage) when
 * the graph exceeds maxGraphEdges.
 * Approximate path (n > exactMaxFaces, average or single linkage): a k-nearest-neighbour graph
 * from a k-means tree (knnGraph.ts), then greedy merging restricted to its edges
 * (heapMerge.ts); the result says approximate: true and reports the sampled kNN recall.
 * The same with the graph stage on worker threads: parallel/clusterFacesParallel.ts.
 */
import { graphStage } from './buildGraph.ts';
import { finishClustering } from './finish.ts';
import type { BuiltGraph } from './graph.ts';
import { mergeClusters } from './merging.ts';
import { planClustering, type ClusterPlan } from './plan.ts';
import { plainMemory, runInThread } from './stage.ts';
import type { ClusterInput, ClusterResult, ClusterStats } from './types.ts';

/** Clusters on the calling thread. */
export function clusterFaces(input: ClusterInput): ClusterResult {
  const started = performance.now();
  const plan = planClustering(input);
  return completeClustering(plan, runInThread(graphStage(plan, plainMemory)), started);
}

/** Merging and labelling, shared by the single-thread and worker entry points. */
export function completeClustering(plan: ClusterPlan, built: BuiltGraph, started: number): ClusterResult {
  const mergeStart = performance.now();
  const tree = mergeClusters(plan, built.graph);
  const mergeSeconds = (performance.now() - mergeStart) / 1000;
  const { labels, clusters } = finishClustering(plan, tree);
  plan.onProgress({ stage: 'finish', done: 1, total: 1 });
  const stats: ClusterStats = {
    graphEdges: built.graph?.edges ?? 0,
    seconds: { graph: built.seconds, merge: mergeSeconds, total: (performance.now() - started) / 1000 },
  };
  if (built.sampledRecall !== undefined) stats.sampledRecall = built.sampledRecall;
  return {
    labels,
    clusters,
    approximate: plan.path === 'approximate',
    method: plan.path === 'approximate' ? 'approximate-knn' : built.graph ? 'exact-graph' : 'exact-dense',
    tree,
    overriddenCannotLinks: plan.constraints.overridden,
    stats,
  };
}
