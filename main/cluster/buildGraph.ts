/**
 * The graph stage as a generator over heavy steps (see stage.ts): the exact threshold
 * graph (every pair within the tree height) or the approximate k-nearest-neighbour graph.
 */
import { graphFromPairs, type BuiltGraph } from './graph.ts';
import { knnGraphStage } from './approximate/knnGraph.ts';
import type { ClusterPlan } from './plan.ts';
import type { Memory, Stage } from './stage.ts';

export function graphStage(plan: ClusterPlan, memory: Memory): Stage<BuiltGraph> {
  return plan.path === 'exact' ? epsilonGraphStage(plan, memory) : knnGraphStage(plan, memory);
}

/** The exact graph, or graph: null when it has more than plan.maxGraphEdges edges. */
function* epsilonGraphStage(plan: ClusterPlan, memory: Memory): Stage<BuiltGraph> {
  const started = performance.now();
  const vectors = memory.float32(plan.vectors.length);
  vectors.set(plan.vectors);
  const job = { vectors, n: plan.m, dim: plan.dim, radius: plan.maxHeight, withDistances: plan.linkage !== 'average' };
  const lists = yield {
    kind: 'epsilon',
    job,
    maxEdges: plan.maxGraphEdges,
    onTask: (done, total) => plan.onProgress({ stage: 'graph', done, total }),
  };
  return {
    graph: lists ? graphFromPairs(plan.m, lists) : null,
    seconds: (performance.now() - started) / 1000,
  };
}
