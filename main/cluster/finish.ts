/**
 * From the merge tree to the result: cut at the threshold, decide which clusters are offered
 * as people (minClusterSize, named persons), attach the faces that waited (low quality) to the
 * nearest offered cluster, and label.
 */
import { attachToClusters } from './attach.ts';
import type { ClusterPlan } from './plan.ts';
import { labelClusters, offeredRoots, partitionAt } from './tree.ts';
import type { ClusterSummary, ClusterTree } from './types.ts';

export function finishClustering(
  plan: ClusterPlan,
  tree: ClusterTree,
): { labels: Int32Array; clusters: ClusterSummary[] } {
  const root = partitionAt(tree, plan.threshold, plan.caution);
  const options = {
    minClusterSize: plan.minClusterSize,
    personOf: plan.constraints.personOf,
    excluded: plan.excluded,
  };
  const offered = offeredRoots(root, options);
  if (plan.excluded) attachExcluded(plan, root, offered);
  return labelClusters(root, { ...options, offered });
}

/** Sets root[f] of each excluded face that joins an offered cluster. */
function attachExcluded(plan: ClusterPlan, root: Int32Array, offered: Uint8Array): void {
  const { n, dim, excluded } = plan;
  const all = plan.allVectors;
  const clusterOfRoot = new Int32Array(n).fill(-1);
  const roots: number[] = [];
  for (let f = 0; f < n; f++) {
    if (!excluded![f] && offered[root[f]] && clusterOfRoot[root[f]] < 0) {
      clusterOfRoot[root[f]] = roots.push(root[f]) - 1;
    }
  }
  const k = roots.length;
  const sums = new Float64Array(k * dim);
  const counts = new Float64Array(k);
  for (let f = 0; f < n; f++) {
    const c = excluded![f] ? -1 : clusterOfRoot[root[f]];
    if (c < 0) continue;
    counts[c]++;
    for (let d = 0; d < dim; d++) sums[c * dim + d] += all[f * dim + d];
  }

  const faces: number[] = [];
  const rowOf = new Int32Array(n).fill(-1);
  for (let f = 0; f < n; f++) if (excluded![f]) rowOf[f] = faces.push(f) - 1;
  const waiting = new Float32Array(faces.length * dim);
  faces.forEach((f, r) => waiting.set(all.subarray(f * dim, (f + 1) * dim), r * dim));

  // Cannot-links: with a clustered face → that cluster is forbidden; between two waiting
  // faces → they never join the same cluster.
  const forbidden = new Map<number, Set<number>>();
  const pairs: number[] = [];
  const cl = plan.constraints.cannotLink;
  for (let p = 0; p < cl.length; p += 2) {
    const [i, j] = [cl[p], cl[p + 1]];
    if (rowOf[i] >= 0 && rowOf[j] >= 0) pairs.push(rowOf[i], rowOf[j]);
    for (const [waitingFace, other] of [[i, j], [j, i]]) {
      if (rowOf[waitingFace] < 0 || rowOf[other] >= 0) continue;
      const c = clusterOfRoot[root[other]];
      if (c < 0) continue;
      const set = forbidden.get(rowOf[waitingFace]) ?? new Set<number>();
      forbidden.set(rowOf[waitingFace], set.add(c));
    }
  }

  const placed = attachToClusters({
    vectors: waiting,
    m: faces.length,
    dim,
    sums,
    counts,
    threshold: plan.threshold,
    caution: plan.caution,
    forbidden: (r, c) => forbidden.get(r)?.has(c) ?? false,
    pairs: Int32Array.from(pairs),
  });
  faces.forEach((f, r) => {
    if (placed[r] >= 0) root[f] = roots[placed[r]];
  });
}
