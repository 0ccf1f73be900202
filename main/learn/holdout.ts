/**
 * Held-out evaluation of an adapter on the user's labelled faces, as pure functions over row indices.
 *
 * Each person's faces are dealt into k folds (k = round(1 / fraction): 5 for the default 20%), so every
 * fold holds out about that fraction of each person's faces and, over the folds, every face is held out
 * once. In each fold the verification threshold is chosen on pairs of training faces, then accuracy is
 * measured on the held-out pairs: every pair with at least one held-out face (a new face against the
 * others, which gives same-person pairs even when a person has a single face held out).
 * The tally pools those verdicts over the folds and also keeps, per held-out face, how much the adapter
 * changed the share of its pairs judged right: their paired t statistic says whether a gain is more than
 * the luck of a small sample.
 */
import { type ScoredPair, bestAccuracyThreshold, rocAuc } from '../metrics/verification.ts';
import { LearnInputError } from './errors.ts';
import { type Rng, shuffled } from '../core/random.ts';
import { squaredDistance } from './tripletLoss.ts';

export interface HoldoutSplit {
  /** Row indices, ascending. */
  readonly train: number[];
  readonly heldOut: number[];
}

/** The folds for a held-out fraction; a person keeps at least two training faces in every fold. */
export function holdoutFolds(labels: ArrayLike<number>, fraction: number, rng: Rng): HoldoutSplit[] {
  if (!(fraction > 0 && fraction <= 0.5)) throw new LearnInputError(`the held-out fraction must be in (0, 0.5], got ${fraction}`, 'holdout');
  const k = Math.max(2, Math.round(1 / fraction));
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    if (!byLabel.has(labels[i]!)) byLabel.set(labels[i]!, []);
    byLabel.get(labels[i]!)!.push(i);
  }
  const heldOut: number[][] = Array.from({ length: k }, () => []);
  const train: number[][] = Array.from({ length: k }, () => []);
  for (const [label, rows] of [...byLabel.entries()].sort((a, b) => a[0] - b[0])) {
    if (rows.length < 3) throw new LearnInputError(`person ${label} has ${rows.length} face(s): holding one out needs three`, 'labels');
    const order = shuffled(rows, rng);
    for (let fold = 0; fold < k; fold++) {
      const held = order.filter((_, position) => position % k === fold).slice(0, rows.length - 2);
      const heldSet = new Set(held);
      heldOut[fold]!.push(...held);
      train[fold]!.push(...rows.filter((row) => !heldSet.has(row)));
    }
  }
  const ascending = (rows: number[]) => rows.sort((a, b) => a - b);
  return heldOut.map((held, fold) => ({ train: ascending(train[fold]!), heldOut: ascending(held) }));
}

export type RowPair = readonly [number, number];

/** Every pair within `rows`, or `maxPairs` drawn at random (with replacement) when there are more. */
export function pairsWithin(rows: readonly number[], maxPairs: number, rng: Rng): RowPair[] {
  const total = (rows.length * (rows.length - 1)) / 2;
  const out: RowPair[] = [];
  if (total <= maxPairs) {
    for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) out.push([rows[i]!, rows[j]!]);
    return out;
  }
  while (out.length < maxPairs) {
    const i = rng.int(rows.length);
    const j = rng.int(rows.length);
    if (i !== j) out.push([rows[i]!, rows[j]!]);
  }
  return out;
}

/** Pairs with at least one held-out face: held-out × held-out and held-out × train (sampled beyond `maxPairs`). */
export function heldOutPairs(split: HoldoutSplit, maxPairs: number, rng: Rng): RowPair[] {
  const out = pairsWithin(split.heldOut, maxPairs, rng);
  if (out.length + split.heldOut.length * split.train.length <= maxPairs) {
    for (const a of split.heldOut) for (const b of split.train) out.push([a, b]);
  } else {
    while (out.length < maxPairs) out.push([split.heldOut[rng.int(split.heldOut.length)]!, split.train[rng.int(split.train.length)]!]);
  }
  return out;
}

export function scorePairs(vectors: Float32Array, dim: number, labels: ArrayLike<number>, pairs: readonly RowPair[]): ScoredPair[] {
  return pairs.map(([a, b]) => ({ distance: squaredDistance(vectors, dim, a, b), same: labels[a] === labels[b], fold: 0 }));
}

/** One embedding space's verdicts in one fold. */
export interface FoldScores {
  /** Pairs of training faces: the threshold is chosen on them. */
  readonly train: readonly ScoredPair[];
  /** The held-out pairs, in the order of the fold's RowPairs. */
  readonly test: readonly ScoredPair[];
}

export interface HeldOutFigures {
  readonly pairs: number;
  readonly samePairs: number;
  /** Over all held-out pairs of all folds, each judged at its fold's threshold chosen on training pairs. */
  readonly accuracy: number;
  /** Mean of the accuracies on same and on different pairs. */
  readonly balancedAccuracy: number;
  /** Mean over folds of the squared-L2 threshold chosen on the training pairs. */
  readonly threshold: number;
  /** Mean over folds of the held-out ROC AUC. */
  readonly auc: number;
}

export interface HeldOutComparison {
  readonly folds: number;
  readonly base: HeldOutFigures;
  readonly adapted: HeldOutFigures;
  /** adapted.accuracy − base.accuracy. */
  readonly gain: number;
  /** Held-out faces behind the paired statistic. */
  readonly faces: number;
  /** Paired t statistic over held-out faces of the change in the share of their pairs judged right. */
  readonly t: number;
}

class SpaceTally {
  correct = 0;
  pairs = 0;
  same = 0;
  sameCorrect = 0;
  differentCorrect = 0;
  thresholds: number[] = [];
  aucs: number[] = [];

  /** Judges the fold's test pairs; returns each pair's verdict (1 right, 0 wrong). */
  add(scores: FoldScores): Uint8Array {
    const threshold = bestAccuracyThreshold([...scores.train]);
    this.thresholds.push(threshold);
    const auc = rocAuc([...scores.test]);
    if (!Number.isNaN(auc)) this.aucs.push(auc);
    return Uint8Array.from(scores.test, (pair) => {
      const right = (pair.distance <= threshold) === pair.same;
      this.pairs++;
      if (right) this.correct++;
      if (pair.same) {
        this.same++;
        if (right) this.sameCorrect++;
      } else if (right) this.differentCorrect++;
      return right ? 1 : 0;
    });
  }

  figures(): HeldOutFigures {
    const different = this.pairs - this.same;
    const rates = [this.same > 0 ? this.sameCorrect / this.same : NaN, different > 0 ? this.differentCorrect / different : NaN].filter((r) => !Number.isNaN(r));
    return {
      pairs: this.pairs,
      samePairs: this.same,
      accuracy: this.pairs > 0 ? this.correct / this.pairs : 0,
      balancedAccuracy: mean(rates),
      threshold: mean(this.thresholds),
      auc: this.aucs.length > 0 ? mean(this.aucs) : NaN,
    };
  }
}

/** Pools held-out verdicts of the base and the adapted space over the folds. */
export class HeldOutTally {
  private readonly base = new SpaceTally();
  private readonly adapted = new SpaceTally();
  /** Held-out face → [Σ (adapted − base) verdicts, pairs it is in]. */
  private readonly perFace = new Map<number, [number, number]>();
  private folds = 0;

  addFold(split: HoldoutSplit, pairs: readonly RowPair[], base: FoldScores, adapted: FoldScores): void {
    this.folds++;
    const baseRight = this.base.add(base);
    const adaptedRight = this.adapted.add(adapted);
    const heldOut = new Set(split.heldOut);
    pairs.forEach(([a, b], i) => {
      for (const face of [a, b]) {
        if (!heldOut.has(face)) continue;
        const entry = this.perFace.get(face) ?? [0, 0];
        entry[0] += adaptedRight[i]! - baseRight[i]!;
        entry[1] += 1;
        this.perFace.set(face, entry);
      }
    });
  }

  result(): HeldOutComparison {
    const base = this.base.figures();
    const adapted = this.adapted.figures();
    const changes = [...this.perFace.values()].map(([sum, count]) => sum / count);
    return { folds: this.folds, base, adapted, gain: adapted.accuracy - base.accuracy, faces: changes.length, t: pairedT(changes) };
  }
}

/** mean / (sd / √n); 0 when nothing changed, ±1e6 (a finite stand-in for ±∞, for JSON) when every face changed alike. */
export function pairedT(changes: readonly number[]): number {
  if (changes.length < 2) return 0;
  const m = mean(changes);
  const variance = changes.reduce((sum, x) => sum + (x - m) ** 2, 0) / (changes.length - 1);
  if (variance === 0) return m === 0 ? 0 : Math.sign(m) * 1e6;
  return Math.max(-1e6, Math.min(1e6, m / Math.sqrt(variance / changes.length)));
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
