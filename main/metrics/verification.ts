/**
 * Face verification metrics under the LFW protocol: k folds, the threshold chosen on k−1 folds
 * and applied to the held-out one; VAL at a fixed FAR as in FaceNet (Schroff et al. 2015, §4.1);
 * ROC AUC. Pure functions over distances (squared L2 between unit vectors: 0 = same, 4 = opposite).
 */

export interface ScoredPair {
  distance: number;
  same: boolean;
  fold: number;
}

export interface VerificationResult {
  folds: number;
  pairs: number;
  accuracy: number;
  /** Standard error of the mean fold accuracy (sample std / √k). */
  stderr: number;
  foldAccuracies: number[];
  valAtFar: number;
  farAchieved: number;
  targetFar: number;
  auc: number;
  /** Mean of the per-fold chosen thresholds (squared L2). */
  threshold: number;
}

function accuracyAt(pairs: ScoredPair[], threshold: number): number {
  let correct = 0;
  for (const p of pairs) if ((p.distance <= threshold) === p.same) correct++;
  return pairs.length === 0 ? 0 : correct / pairs.length;
}

/** Candidate thresholds: midpoints between consecutive distinct sorted distances, plus the ends. */
function candidateThresholds(pairs: ScoredPair[]): number[] {
  const sorted = [...new Set(pairs.map((p) => p.distance))].sort((a, b) => a - b);
  const out = [sorted[0]! - 1e-6];
  for (let i = 1; i < sorted.length; i++) out.push((sorted[i - 1]! + sorted[i]!) / 2);
  out.push(sorted[sorted.length - 1]! + 1e-6);
  return out;
}

/** The threshold of best accuracy; ties resolved towards the middle of the best run. */
export function bestAccuracyThreshold(pairs: ScoredPair[]): number {
  const sorted = [...pairs].sort((a, b) => a.distance - b.distance);
  const thresholds = candidateThresholds(sorted);
  // Sweep: accepting everything up to t. correct = sames below + diffs above.
  let diffsTotal = 0;
  for (const p of sorted) if (!p.same) diffsTotal++;
  let best = -1, bestFirst = 0, bestLast = 0;
  let index = 0, samesBelow = 0, diffsBelow = 0;
  for (let t = 0; t < thresholds.length; t++) {
    while (index < sorted.length && sorted[index]!.distance <= thresholds[t]!) {
      if (sorted[index]!.same) samesBelow++; else diffsBelow++;
      index++;
    }
    const correct = samesBelow + (diffsTotal - diffsBelow);
    if (correct > best) { best = correct; bestFirst = t; bestLast = t; } else if (correct === best && bestLast === t - 1) bestLast = t;
  }
  return thresholds[Math.floor((bestFirst + bestLast) / 2)]!;
}

/** The largest threshold whose false-accept rate on `pairs` is at most `far`. */
export function thresholdAtFar(pairs: ScoredPair[], far: number): number {
  const diffs = pairs.filter((p) => !p.same).map((p) => p.distance).sort((a, b) => a - b);
  const allowed = Math.floor(far * diffs.length);
  // Accepting distances strictly below diffs[allowed] admits exactly `allowed` false accepts.
  if (diffs.length === 0) return Infinity;
  if (allowed >= diffs.length) return diffs[diffs.length - 1]!;
  const limit = diffs[allowed]!;
  return allowed === 0 ? limit - 1e-9 : (diffs[allowed - 1]! + limit) / 2;
}

/** ROC AUC = P(distance of a random same pair < distance of a random different pair), ties counted half. */
export function rocAuc(pairs: ScoredPair[]): number {
  const sorted = [...pairs].sort((a, b) => a.distance - b.distance);
  let sames = 0, diffs = 0;
  for (const p of pairs) if (p.same) sames++; else diffs++;
  if (sames === 0 || diffs === 0) return NaN;
  // Count, for each different pair, the same pairs strictly closer plus half the ties.
  let samesSeen = 0, favourable = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i, tieSames = 0, tieDiffs = 0;
    while (j < sorted.length && sorted[j]!.distance === sorted[i]!.distance) {
      if (sorted[j]!.same) tieSames++; else tieDiffs++;
      j++;
    }
    favourable += tieDiffs * (samesSeen + tieSames / 2);
    samesSeen += tieSames;
    i = j;
  }
  return favourable / (sames * diffs);
}

export function evaluateVerification(pairs: ScoredPair[], targetFar = 1e-3): VerificationResult {
  const folds = [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
  const foldAccuracies: number[] = [];
  const thresholds: number[] = [];
  const vals: number[] = [];
  const fars: number[] = [];
  for (const fold of folds) {
    const train = pairs.filter((p) => p.fold !== fold);
    const test = pairs.filter((p) => p.fold === fold);
    const threshold = bestAccuracyThreshold(train.length > 0 ? train : test);
    thresholds.push(threshold);
    foldAccuracies.push(accuracyAt(test, threshold));
    const farThreshold = thresholdAtFar(train.length > 0 ? train : test, targetFar);
    const testSames = test.filter((p) => p.same), testDiffs = test.filter((p) => !p.same);
    vals.push(testSames.filter((p) => p.distance <= farThreshold).length / Math.max(1, testSames.length));
    fars.push(testDiffs.filter((p) => p.distance <= farThreshold).length / Math.max(1, testDiffs.length));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const accuracy = mean(foldAccuracies);
  const variance = foldAccuracies.length > 1
    ? foldAccuracies.reduce((sum, a) => sum + (a - accuracy) ** 2, 0) / (foldAccuracies.length - 1)
    : 0;
  return {
    folds: folds.length,
    pairs: pairs.length,
    accuracy,
    stderr: Math.sqrt(variance / Math.max(1, foldAccuracies.length)),
    foldAccuracies,
    valAtFar: mean(vals),
    farAchieved: mean(fars),
    targetFar,
    auc: rocAuc(pairs),
    threshold: mean(thresholds),
  };
}

export function squaredDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return sum;
}
