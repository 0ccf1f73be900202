/**
 * Online triplet selection inside a mini-batch (Schroff et al. 2015, §3.2).
 *
 * A batch holds K identities × up to M faces each. Every ordered anchor-positive pair of the same identity
 * is used (the paper found all pairs more stable than hardest positives); each gets one negative that is
 * semi-hard, i.e. farther than the positive but inside the margin:
 *   |a-p|² < |a-n|² < |a-p|² + α
 * Pairs with no semi-hard negative follow a configurable fallback. Hard negatives (|a-n|² ≤ |a-p|²) can
 * collapse a model early in training (f(x) = 0), so during a warm-up the fallback is always 'skip'.
 * Everything here is pure and, given the same seed, replays exactly.
 */
import { LearnInputError } from './errors.ts';
import { type Rng, sample } from '../core/random.ts';
import { DEFAULT_MARGIN, type Triplet, rowCount, squaredDistances } from './tripletLoss.ts';

export interface Identity<T> {
  readonly id: string;
  readonly faces: readonly T[];
}

export interface Batch<T> {
  /** Faces grouped by identity, in the order of `identityIds`. */
  readonly faces: readonly T[];
  /** labels[i] is the index in `identityIds` of faces[i]. */
  readonly labels: Int32Array;
  readonly identityIds: readonly string[];
}

/**
 * K identities drawn at random among those with at least two faces (one face gives no positive pair),
 * and M faces drawn without replacement from each; an identity with fewer than M faces gives all it has.
 */
export function buildBatch<T>(identities: readonly Identity<T>[], K: number, M: number, rng: Rng): Batch<T> {
  if (!Number.isInteger(K) || K < 2) throw new LearnInputError(`K must be an integer ≥ 2 (negatives need a second identity), got ${K}`, 'K');
  if (!Number.isInteger(M) || M < 2) throw new LearnInputError(`M must be an integer ≥ 2 (a pair needs two faces), got ${M}`, 'M');
  const eligible = identities.filter((identity) => identity.faces.length >= 2);
  if (eligible.length < K) {
    throw new LearnInputError(`a batch needs ${K} identities with two or more faces, only ${eligible.length} have them`, 'K');
  }
  const chosen = sample(eligible, K, rng);
  const faces: T[] = [];
  const labels: number[] = [];
  chosen.forEach((identity, label) => {
    for (const face of sample(identity.faces, M, rng)) {
      faces.push(face);
      labels.push(label);
    }
  });
  return { faces, labels: Int32Array.from(labels), identityIds: chosen.map((identity) => identity.id) };
}

/**
 * What to do with an anchor-positive pair that has no semi-hard negative:
 * - 'skip': drop the pair;
 * - 'easiest-hard': the hard negative farthest from the anchor (closest to being semi-hard);
 * - 'hardest': the negative nearest the anchor (the paper warns this can collapse training).
 * A pair whose negatives are all beyond the margin is dropped whatever the fallback: its loss is zero.
 */
export type NegativeFallback = 'skip' | 'easiest-hard' | 'hardest';

export interface MiningOptions {
  /** Margin α. Default 0.2, as in the paper. */
  readonly margin?: number;
  /** Among several semi-hard negatives: 'random' (default, as in the paper) or 'hardest' (nearest the anchor). */
  readonly pick?: 'random' | 'hardest';
  /** Default 'easiest-hard'. */
  readonly fallback?: NegativeFallback;
  /** Steps during which the fallback is forced to 'skip', so no hard negative is chosen. Default 0. */
  readonly warmupSteps?: number;
  /** Training step of this batch; required when warmupSteps > 0. */
  readonly step?: number;
}

export type NegativeKind = 'semi-hard' | 'fallback';

export interface MinedTriplet extends Triplet {
  readonly kind: NegativeKind;
}

export interface MiningResult {
  readonly triplets: MinedTriplet[];
  /** Ordered anchor-positive pairs in the batch. */
  readonly pairs: number;
  readonly semiHard: number;
  readonly fallback: number;
  /** Pairs without a semi-hard negative that were dropped (fallback 'skip' or warm-up). */
  readonly skipped: number;
  /** Pairs whose negatives all lie beyond the margin: nothing to learn, dropped. */
  readonly satisfied: number;
}

interface ResolvedOptions {
  margin: number;
  pick: 'random' | 'hardest';
  fallback: NegativeFallback;
}

function resolve(options: MiningOptions): ResolvedOptions {
  const margin = options.margin ?? DEFAULT_MARGIN;
  if (!Number.isFinite(margin) || margin <= 0) throw new LearnInputError(`margin must be > 0, got ${margin}`, 'margin');
  const pick = options.pick ?? 'random';
  if (pick !== 'random' && pick !== 'hardest') throw new LearnInputError(`unknown pick "${String(pick)}"`, 'pick');
  const fallback = options.fallback ?? 'easiest-hard';
  if (!['skip', 'easiest-hard', 'hardest'].includes(fallback)) {
    throw new LearnInputError(`unknown fallback "${String(fallback)}"`, 'fallback');
  }
  const warmupSteps = options.warmupSteps ?? 0;
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) {
    throw new LearnInputError(`warmupSteps must be an integer ≥ 0, got ${warmupSteps}`, 'warmupSteps');
  }
  if (warmupSteps > 0 && options.step === undefined) {
    throw new LearnInputError('step is required when warmupSteps is set', 'step');
  }
  const inWarmup = warmupSteps > 0 && options.step! < warmupSteps;
  return { margin, pick, fallback: inWarmup ? 'skip' : fallback };
}

/** Where a negative lies for a pair at squared distance dAp. The three kinds partition all negatives. */
export function negativeZone(dAp: number, dAn: number, margin = DEFAULT_MARGIN): 'hard' | 'semi-hard' | 'easy' {
  if (dAn <= dAp) return 'hard';
  return dAn < dAp + margin ? 'semi-hard' : 'easy';
}

/**
 * One triplet per ordered anchor-positive pair that has a usable negative, in order of anchor then positive.
 * `embeddings` is n × dim row-major (L2-normalised); `labels[i]` is the identity of row i.
 */
export function selectTriplets(
  embeddings: Float32Array,
  dim: number,
  labels: ArrayLike<number>,
  rng: Rng,
  options: MiningOptions = {},
): MiningResult {
  const n = rowCount(embeddings, dim);
  if (labels.length !== n) throw new LearnInputError(`${labels.length} labels for ${n} embeddings`, 'labels');
  const { margin, pick, fallback } = resolve(options);
  const distances = squaredDistances(embeddings, dim); // [n, n]
  const triplets: MinedTriplet[] = [];
  let pairs = 0;
  let skipped = 0;
  let satisfied = 0;
  for (let anchor = 0; anchor < n; anchor++) {
    const row = distances.subarray(anchor * n, (anchor + 1) * n);
    for (let positive = 0; positive < n; positive++) {
      if (positive === anchor || labels[positive] !== labels[anchor]) continue;
      pairs++;
      const zones = classifyNegatives(row, labels, labels[anchor]!, row[positive]!, margin);
      const semiHard = pickSemiHard(zones.semiHard, row, pick, rng);
      if (semiHard !== undefined) {
        triplets.push({ anchor, positive, negative: semiHard, kind: 'semi-hard' });
      } else if (zones.hard.length === 0) {
        satisfied++;
      } else if (fallback === 'skip') {
        skipped++;
      } else {
        const negative = fallback === 'hardest' ? argBest(zones.hard, row, -1) : argBest(zones.hard, row, 1);
        triplets.push({ anchor, positive, negative, kind: 'fallback' });
      }
    }
  }
  const semiHard = triplets.filter((t) => t.kind === 'semi-hard').length;
  return { triplets, pairs, semiHard, fallback: triplets.length - semiHard, skipped, satisfied };
}

function classifyNegatives(
  row: Float64Array,
  labels: ArrayLike<number>,
  label: number,
  dAp: number,
  margin: number,
): { hard: number[]; semiHard: number[] } {
  const hard: number[] = [];
  const semiHard: number[] = [];
  for (let j = 0; j < row.length; j++) {
    if (labels[j] === label) continue;
    const zone = negativeZone(dAp, row[j]!, margin);
    if (zone === 'hard') hard.push(j);
    else if (zone === 'semi-hard') semiHard.push(j);
  }
  return { hard, semiHard };
}

function pickSemiHard(candidates: number[], row: Float64Array, pick: 'random' | 'hardest', rng: Rng): number | undefined {
  if (candidates.length === 0) return undefined;
  return pick === 'random' ? candidates[rng.int(candidates.length)] : argBest(candidates, row, -1);
}

/** The candidate with the largest (sign 1) or smallest (sign -1) distance; ties go to the lower index. */
function argBest(candidates: number[], row: Float64Array, sign: 1 | -1): number {
  let best = candidates[0]!;
  for (const j of candidates) if (sign * row[j]! > sign * row[best]!) best = j;
  return best;
}

export interface StrangerOptions {
  /** Candidates kept per person: the pool's faces nearest the person's centroid. Default 40. */
  readonly count?: number;
  /**
   * A pool face closer than this (squared L2) to any of the person's labelled faces may be that person,
   * not yet named: it is never a negative for them. Default 0.2 (dlib-resnet's faces of one person lie
   * within about 0.17 of their nearest same-person face, clean).
   */
  readonly minDistance?: number;
}

/**
 * Hard negatives from a library's unlabelled faces: for each label, the `count` pool rows nearest its
 * centroid, among those farther than `minDistance` from every face with that label. The pool is what a
 * library holds beside the named faces (strangers, and unnamed faces of the named persons themselves,
 * which the distance rule keeps out). Returns, per label, pool row indices nearest first.
 */
export function strangerCandidates(
  labelled: Float32Array,
  labels: ArrayLike<number>,
  pool: Float32Array,
  dim: number,
  options: StrangerOptions = {},
): Map<number, number[]> {
  const count = options.count ?? 40;
  const minDistance = options.minDistance ?? 0.2;
  if (!(Number.isInteger(count) && count >= 1)) throw new LearnInputError(`count must be a whole number ≥ 1, got ${count}`, 'count');
  if (!(minDistance >= 0)) throw new LearnInputError(`minDistance must be ≥ 0, got ${minDistance}`, 'minDistance');
  const n = rowCount(labelled, dim);
  if (labels.length !== n) throw new LearnInputError(`${labels.length} labels for ${n} labelled faces`, 'labels');
  const m = rowCount(pool, dim);
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (!byLabel.has(labels[i]!)) byLabel.set(labels[i]!, []);
    byLabel.get(labels[i]!)!.push(i);
  }
  const out = new Map<number, number[]>();
  for (const [label, rows] of [...byLabel.entries()].sort((a, b) => a[0] - b[0])) {
    const centroid = new Float64Array(dim);
    for (const row of rows) for (let k = 0; k < dim; k++) centroid[k] += labelled[row * dim + k]!;
    // Nearest the centroid by dot product (rows are unit length, so this ranks as distance does).
    const scored: Array<[number, number]> = [];
    for (let j = 0; j < m; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += centroid[k]! * pool[j * dim + k]!;
      scored.push([j, dot]);
    }
    scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const chosen: number[] = [];
    for (const [j] of scored) {
      if (chosen.length >= count) break;
      if (rows.every((row) => distanceBetween(labelled, row, pool, j, dim) > minDistance)) chosen.push(j);
    }
    out.set(label, chosen);
  }
  return out;
}

function distanceBetween(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  let sum = 0;
  for (let k = 0; k < dim; k++) {
    const diff = a[i * dim + k]! - b[j * dim + k]!;
    sum += diff * diff;
  }
  return sum;
}
