/**
 * Runs the merging stage of a plan: seeds must-link groups, then the nearest-neighbour chain
 * over the neighbour graph (or over all clusters when no graph fits), and returns the merge
 * tree over all n faces.
 */
import { ClusterState } from './clusterState.ts';
import { DenseAverageSpace } from './exact/denseSpace.ts';
import { ClusterLimitError } from './errors.ts';
import type { NeighbourGraph } from './graph.ts';
import { GraphSpace } from './exact/graphSpace.ts';
import { mergeOnGraph } from './approximate/heapMerge.ts';
import { runNnChain, type LinkageSpace } from './exact/nnChain.ts';
import type { ClusterPlan } from './plan.ts';
import { TreeBuilder } from './tree.ts';
import type { ClusterTree } from './types.ts';

/** graph: null = too dense to hold; only average linkage can then run (dense space). */
export function mergeClusters(plan: ClusterPlan, graph: NeighbourGraph | null): ClusterTree {
  const { m, dim, linkage, local } = plan;
  if (!graph && linkage !== 'average') {
    throw new ClusterLimitError(
      'maxGraphEdges',
      `the threshold graph has more than ${plan.maxGraphEdges} edges; ${linkage} linkage needs it (lower the threshold or use average linkage)`,
    );
  }
  const state = new ClusterState(plan.vectors, m, dim, linkage === 'average', local.personOf);
  state.addCannotLinks(local.cannotLink);
  const tree = new TreeBuilder(m);
  const record = (a: number, b: number, height: number) => tree.add(a, b, height);
  let merges = 0;
  const step = Math.max(1, Math.floor(m / 100));
  const onMerge = () => {
    if (++merges % step === 0) plan.onProgress({ stage: 'merge', done: merges, total: m });
  };

  if (plan.path === 'approximate') {
    seedMustLink(plan, state, (a, b) => state.merge(a, b), record);
    mergeOnGraph(state, plan.vectors, graph!, linkage, plan.maxHeight, record, onMerge);
  } else {
    const space: LinkageSpace = graph
      ? new GraphSpace(state, graph, linkage, plan.maxHeight)
      : new DenseAverageSpace(state, plan.maxHeight);
    seedMustLink(plan, state, (a, b) => space.merge(a, b), record);
    runNnChain(space, record, onMerge);
  }

  const built = tree.build(m, plan.maxHeight, plan.path === 'approximate');
  return toAllFaces(built, plan);
}

/** Must-link groups become clusters first, recorded at height -Infinity. */
function seedMustLink(
  plan: ClusterPlan,
  state: ClusterState,
  merge: (a: number, b: number) => void,
  record: (a: number, b: number, height: number) => void,
): void {
  for (const group of plan.local.mustLink) {
    for (let g = 1; g < group.length; g++) {
      const a = state.sets.find(group[0]);
      const b = state.sets.find(group[g]);
      record(state.minIndex[a], state.minIndex[b], -Infinity);
      merge(a, b);
    }
  }
}

/** Maps a tree over the taking-part rows to face indices over all n faces. */
function toAllFaces(tree: ClusterTree, plan: ClusterPlan): ClusterTree {
  const personOf = plan.constraints.personOf.some((p) => p >= 0) ? plan.constraints.personOf : undefined;
  const { subset } = plan;
  if (!subset) return { ...tree, personOf };
  return {
    ...tree,
    n: plan.n,
    left: tree.left.map((r) => subset[r]),
    right: tree.right.map((r) => subset[r]),
    excluded: plan.excluded,
    personOf,
  };
}
