/**
 * Stable cluster identities across runs: each new cluster takes the id of the previous cluster
 * it shares the most faces with (greedy, largest overlap first, each previous id used once);
 * clusters with no match get fresh ids. Greedy equals the optimal (Hungarian) matching whenever
 * each cluster's best partner holds more than half of it, the usual case between two runs, and
 * costs O(n + pairs · log pairs) instead of O(k³).
 */
import { ClusterInputError } from './errors.ts';

export interface ClusterMatch {
  /** Stable id of each new label (index = new label). */
  idOfLabel: Int32Array;
  /** newLabels rewritten with stable ids (-1 stays -1). */
  labels: Int32Array;
  /** New labels that kept a previous id. */
  matched: number;
  /** Smallest id not in use (for the next run's fresh ids). */
  nextId: number;
}

export interface MatchOptions {
  /** Shared faces needed to keep an id. Default 1. */
  minOverlap?: number;
  /** First fresh id; default one more than the largest previous id. */
  firstFreshId?: number;
}

/**
 * previousLabels: stable ids from the last run (>= 0, -1 = none), one per face;
 * newLabels: this run's labels 0..k-1 (-1 = noise) over the same faces.
 */
export function matchClusters(
  previousLabels: ArrayLike<number>,
  newLabels: ArrayLike<number>,
  options: MatchOptions = {},
): ClusterMatch {
  const n = newLabels.length;
  if (previousLabels.length !== n) {
    throw new ClusterInputError('previousLabels', `has ${previousLabels.length} faces, newLabels has ${n}`);
  }
  let k = 0;
  let maxPrevious = -1;
  const overlap = new Map<number, number>();
  for (let f = 0; f < n; f++) {
    const label = newLabels[f];
    const previous = previousLabels[f];
    k = Math.max(k, label + 1);
    maxPrevious = Math.max(maxPrevious, previous);
    if (label < 0 || previous < 0) continue;
    const key = previous * (n + 1) + label;
    overlap.set(key, (overlap.get(key) ?? 0) + 1);
  }

  // Largest overlap first; ties: smaller new label, then smaller previous id.
  const cells = [...overlap.entries()].map(([key, count]) => ({
    previous: Math.floor(key / (n + 1)),
    label: key % (n + 1),
    count,
  }));
  cells.sort((x, y) => y.count - x.count || x.label - y.label || x.previous - y.previous);

  const minOverlap = options.minOverlap ?? 1;
  const idOfLabel = new Int32Array(k).fill(-1);
  const used = new Set<number>();
  let matched = 0;
  for (const { previous, label, count } of cells) {
    if (count < minOverlap) break;
    if (idOfLabel[label] >= 0 || used.has(previous)) continue;
    idOfLabel[label] = previous;
    used.add(previous);
    matched++;
  }
  let nextId = options.firstFreshId ?? maxPrevious + 1;
  for (let label = 0; label < k; label++) if (idOfLabel[label] < 0) idOfLabel[label] = nextId++;

  const labels = new Int32Array(n);
  for (let f = 0; f < n; f++) labels[f] = newLabels[f] < 0 ? -1 : idOfLabel[newLabels[f]];
  return { idOfLabel, labels, matched, nextId };
}
