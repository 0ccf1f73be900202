/**
 * Clustering quality against a reference partition (ground truth, or the exact result).
 * Label -1 (noise) counts as a cluster of its own for every such face. Everything is computed
 * from the contingency table (shared faces per truth × predicted cluster), O(n), never O(n²).
 *
 *  - pairwise: precision = pairs together in both / pairs together in predicted; recall =
 *    pairs together in both / pairs together in truth (pairs counted as C(m, 2) per cell);
 *  - BCubed (Bagga & Baldwin 1998): per face, precision = |pred(f) ∩ truth(f)| / |pred(f)|,
 *    recall = |pred(f) ∩ truth(f)| / |truth(f)|, averaged over faces.
 */

export interface ClusterScores {
  precision: number;
  recall: number;
  f1: number;
}

export interface PairwiseScores extends ClusterScores {
  /** Pairs in one cluster in both partitions / in the prediction / in the truth. */
  correctPairs: number;
  predictedPairs: number;
  truePairs: number;
}

interface Contingency {
  n: number;
  /** Faces per (truth, predicted) cell, per truth cluster, per predicted cluster. */
  cells: number[];
  cellTruth: number[];
  cellPredicted: number[];
  truthSize: Map<number, number>;
  predictedSize: Map<number, number>;
}

function contingency(truth: ArrayLike<number>, predicted: ArrayLike<number>): Contingency {
  const n = truth.length;
  if (predicted.length !== n) throw new RangeError(`truth has ${n} faces, predicted ${predicted.length}`);
  // Noise faces become singleton clusters with ids below -1 (unique per face).
  const id = (label: number, face: number) => (label < 0 ? -2 - face : label);
  const truthSize = new Map<number, number>();
  const predictedSize = new Map<number, number>();
  const cellOf = new Map<string, number>();
  const cells: number[] = [];
  const cellTruth: number[] = [];
  const cellPredicted: number[] = [];
  for (let f = 0; f < n; f++) {
    const t = id(truth[f], f);
    const p = id(predicted[f], f);
    truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
    predictedSize.set(p, (predictedSize.get(p) ?? 0) + 1);
    const key = `${t},${p}`;
    const cell = cellOf.get(key);
    if (cell === undefined) {
      cellOf.set(key, cells.length);
      cells.push(1);
      cellTruth.push(t);
      cellPredicted.push(p);
    } else {
      cells[cell]++;
    }
  }
  return { n, cells, cellTruth, cellPredicted, truthSize, predictedSize };
}

const pairsOf = (m: number) => (m * (m - 1)) / 2;

function withF1<T extends { precision: number; recall: number }>(scores: T): T & { f1: number } {
  const { precision, recall } = scores;
  return { ...scores, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}

/** Pairwise precision, recall and F1; 1 when a partition has no pairs at all. */
export function pairwiseScores(truth: ArrayLike<number>, predicted: ArrayLike<number>): PairwiseScores {
  const table = contingency(truth, predicted);
  let correctPairs = 0;
  for (const m of table.cells) correctPairs += pairsOf(m);
  let predictedPairs = 0;
  for (const m of table.predictedSize.values()) predictedPairs += pairsOf(m);
  let truePairs = 0;
  for (const m of table.truthSize.values()) truePairs += pairsOf(m);
  return withF1({
    precision: predictedPairs === 0 ? 1 : correctPairs / predictedPairs,
    recall: truePairs === 0 ? 1 : correctPairs / truePairs,
    correctPairs,
    predictedPairs,
    truePairs,
  });
}

/** BCubed precision, recall and F1 (1 for an empty input). */
export function bcubedScores(truth: ArrayLike<number>, predicted: ArrayLike<number>): ClusterScores {
  const table = contingency(truth, predicted);
  if (table.n === 0) return { precision: 1, recall: 1, f1: 1 };
  let precision = 0;
  let recall = 0;
  table.cells.forEach((m, c) => {
    // Each of the m faces in the cell scores m / |its cluster|.
    precision += (m * m) / table.predictedSize.get(table.cellPredicted[c])!;
    recall += (m * m) / table.truthSize.get(table.cellTruth[c])!;
  });
  return withF1({ precision: precision / table.n, recall: recall / table.n });
}

/**
 * BCubed precision, recall and F1 averaged over the items with `include[i]` only: each is still scored
 * against its whole cluster and its whole true class (e.g. a library's held-out faces, strangers mixed in).
 */
export function bcubedScoresOver(truth: ArrayLike<number>, predicted: ArrayLike<number>, include: ArrayLike<boolean>): ClusterScores {
  const key = (t: number, p: number) => `${t}/${p}`;
  const truthSize = new Map<number, number>();
  const predictedSize = new Map<number, number>();
  const cell = new Map<string, number>();
  for (let i = 0; i < truth.length; i++) {
    truthSize.set(truth[i]!, (truthSize.get(truth[i]!) ?? 0) + 1);
    predictedSize.set(predicted[i]!, (predictedSize.get(predicted[i]!) ?? 0) + 1);
    cell.set(key(truth[i]!, predicted[i]!), (cell.get(key(truth[i]!, predicted[i]!)) ?? 0) + 1);
  }
  let precision = 0, recall = 0, n = 0;
  for (let i = 0; i < truth.length; i++) {
    if (!include[i]) continue;
    const m = cell.get(key(truth[i]!, predicted[i]!))!;
    precision += m / predictedSize.get(predicted[i]!)!;
    recall += m / truthSize.get(truth[i]!)!;
    n++;
  }
  if (n === 0) return { precision: 1, recall: 1, f1: 1 };
  return withF1({ precision: precision / n, recall: recall / n });
}
