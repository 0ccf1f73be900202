import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LearnInputError } from './errors.ts';
import { type Identity, type MiningOptions, buildBatch, negativeZone, selectTriplets, strangerCandidates } from './mining.ts';
import { createRng } from '../core/random.ts';
import { blockLabels, circlePoints, numericGradient, randomUnitRows } from './testData.ts';
import { type Triplet, tripletLoss, tripletLossGradient } from './tripletLoss.ts';

const plain = (triplets: readonly Triplet[]) => triplets.map(({ anchor, positive, negative }) => [anchor, positive, negative]);

/** Squared distance written out afresh, independent of the code under test. */
function distance(embeddings: Float32Array, dim: number, i: number, j: number): number {
  let sum = 0;
  for (let k = 0; k < dim; k++) sum += (embeddings[i * dim + k]! - embeddings[j * dim + k]!) ** 2;
  return sum;
}

/**
 * Brute force: every (anchor, positive, negative) with distances computed afresh, negatives sorted into zones,
 * then the rule applied literally. Deterministic picks only ('hardest' semi-hard).
 */
function referenceTriplets(embeddings: Float32Array, dim: number, labels: Int32Array, options: MiningOptions): number[][] {
  const margin = options.margin ?? 0.2;
  const n = labels.length;
  const dist = (i: number, j: number) => distance(embeddings, dim, i, j);
  const out: number[][] = [];
  for (let a = 0; a < n; a++) {
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      const dAp = dist(a, p);
      const negatives = [...Array(n).keys()].filter((j) => labels[j] !== labels[a]);
      const semiHard = negatives.filter((j) => dist(a, j) > dAp && dist(a, j) < dAp + margin);
      const hard = negatives.filter((j) => dist(a, j) <= dAp);
      const byDistance = (list: number[]) => list.slice().sort((x, y) => dist(a, x) - dist(a, y) || x - y);
      if (semiHard.length > 0) out.push([a, p, byDistance(semiHard)[0]!]);
      else if (hard.length > 0 && options.fallback === 'hardest') out.push([a, p, byDistance(hard)[0]!]);
      else if (hard.length > 0 && options.fallback === 'easiest-hard') {
        const farthest = Math.max(...hard.map((j) => dist(a, j)));
        out.push([a, p, hard.find((j) => dist(a, j) === farthest)!]);
      }
    }
  }
  return out;
}

describe('buildBatch', () => {
  const identities: Identity<string>[] = [
    { id: 'ann', faces: ['a1', 'a2', 'a3', 'a4', 'a5'] },
    { id: 'bob', faces: ['b1', 'b2'] },
    { id: 'cat', faces: ['c1'] },
    { id: 'dan', faces: ['d1', 'd2', 'd3', 'd4'] },
  ];

  it('draws K identities with two or more faces and up to M faces each, labelled by identity', () => {
    const batch = buildBatch(identities, 3, 3, createRng(1));
    assert.deepEqual([...batch.identityIds].sort(), ['ann', 'bob', 'dan']);
    assert.equal(batch.faces.length, 3 + 2 + 3); // bob has only two faces
    batch.faces.forEach((face, i) => assert.equal(face[0], batch.identityIds[batch.labels[i]!]![0]));
    assert.equal(new Set(batch.faces).size, batch.faces.length, 'no face twice');
  });

  it('replays exactly from the same seed and varies with it', () => {
    const draw = (seed: number) => buildBatch(identities, 2, 2, createRng(seed)).faces.join();
    assert.equal(draw(5), draw(5));
    assert.ok(new Set([1, 2, 3, 4, 5, 6, 7, 8].map(draw)).size > 1);
  });

  it('refuses a batch it cannot fill, naming the field', () => {
    assert.throws(() => buildBatch(identities, 4, 2, createRng(1)), (e: unknown) => e instanceof LearnInputError && e.field === 'K');
    assert.throws(() => buildBatch(identities, 2, 1, createRng(1)), (e: unknown) => e instanceof LearnInputError && e.field === 'M');
  });
});

describe('selectTriplets on hand-built embeddings (unit circle, α = 0.2)', () => {
  // Ann at 0° and 10°, Bob at 25° and 100°, Cy at 200° and 215°. Squared distance = 2 - 2cos(Δ).
  // (0,1): |a-p|² = 0.030, Bob@25° at 0.187 is semi-hard.   (1,0): Bob@25° at 0.068 is semi-hard.
  // (2,3): |a-p|² = 1.482, Ann@0° (0.187) and Ann@10° (0.068) are hard, the rest easy: no semi-hard.
  // (3,2), (4,5), (5,4): every negative beyond the margin.
  const embeddings = circlePoints([0, 10, 25, 100, 200, 215]);
  const labels = Int32Array.from([0, 0, 1, 1, 2, 2]);

  it('finds the semi-hard negatives and falls back to the easiest hard one', () => {
    const result = selectTriplets(embeddings, 2, labels, createRng(1));
    assert.deepEqual(plain(result.triplets), [[0, 1, 2], [1, 0, 2], [2, 3, 0]]);
    assert.deepEqual(result.triplets.map((t) => t.kind), ['semi-hard', 'semi-hard', 'fallback']);
    assert.deepEqual(
      { pairs: result.pairs, semiHard: result.semiHard, fallback: result.fallback, skipped: result.skipped, satisfied: result.satisfied },
      { pairs: 6, semiHard: 2, fallback: 1, skipped: 0, satisfied: 3 },
    );
  });

  it('honours the other fallbacks and the warm-up', () => {
    const pick = (options: MiningOptions) => plain(selectTriplets(embeddings, 2, labels, createRng(1), options).triplets);
    assert.deepEqual(pick({ fallback: 'hardest' }), [[0, 1, 2], [1, 0, 2], [2, 3, 1]]);
    assert.deepEqual(pick({ fallback: 'skip' }), [[0, 1, 2], [1, 0, 2]]);
    assert.deepEqual(pick({ fallback: 'hardest', warmupSteps: 100, step: 99 }), [[0, 1, 2], [1, 0, 2]]);
    assert.deepEqual(pick({ fallback: 'hardest', warmupSteps: 100, step: 100 }), [[0, 1, 2], [1, 0, 2], [2, 3, 1]]);
    assert.equal(selectTriplets(embeddings, 2, labels, createRng(1), { fallback: 'skip' }).skipped, 1);
  });

  it('picks the hardest or a seeded random semi-hard negative when several qualify', () => {
    // Ann at 0° and 10°, Bob at 15° and 25°: pair (0,1) has Bob@15° (0.068) and Bob@25° (0.187) semi-hard.
    const close = circlePoints([0, 10, 15, 25]);
    const pairLabels = Int32Array.from([0, 0, 1, 1]);
    const hardest = selectTriplets(close, 2, pairLabels, createRng(1), { pick: 'hardest', fallback: 'skip' });
    assert.deepEqual(plain(hardest.triplets), [[0, 1, 2], [1, 0, 3], [2, 3, 0], [3, 2, 1]]);
    const negativesOfFirstPair = new Set(
      [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => selectTriplets(close, 2, pairLabels, createRng(seed), { fallback: 'skip' }).triplets[0]!.negative),
    );
    assert.deepEqual([...negativesOfFirstPair].sort(), [2, 3]);
    const again = (seed: number) => plain(selectTriplets(close, 2, pairLabels, createRng(seed)).triplets);
    assert.deepEqual(again(3), again(3));
  });

  it('classifies a negative exactly on a boundary as hard (at |a-p|²) or easy (at |a-p|² + α)', () => {
    assert.equal(negativeZone(0.5, 0.5), 'hard');
    assert.equal(negativeZone(0.5, 0.6), 'semi-hard');
    assert.equal(negativeZone(0.5, 0.75, 0.25), 'easy');
  });
});

describe('selectTriplets against brute force on random embeddings', () => {
  // Four identities × four faces in 3-D: crowded enough that all three zones occur.
  const dim = 3;
  const labels = blockLabels(4, 4);
  const seeds = [11, 12, 13, 14, 15];

  for (const fallback of ['skip', 'easiest-hard', 'hardest'] as const) {
    it(`chooses the same triplets as the reference (pick 'hardest', fallback '${fallback}')`, () => {
      for (const seed of seeds) {
        const embeddings = randomUnitRows(labels.length, dim, seed);
        const options: MiningOptions = { pick: 'hardest', fallback };
        const mined = selectTriplets(embeddings, dim, labels, createRng(0), options);
        assert.deepEqual(plain(mined.triplets), referenceTriplets(embeddings, dim, labels, options), `seed ${seed}`);
        assert.equal(mined.pairs, 4 * 4 * 3);
        assert.ok(mined.semiHard > 0 && mined.semiHard < mined.pairs, `seed ${seed}: fixture has pairs without a semi-hard negative`);
      }
    });
  }

  it('draws random picks from the semi-hard set only, keeping the same pairs as the reference', () => {
    for (const seed of seeds) {
      const embeddings = randomUnitRows(labels.length, dim, seed);
      const mined = selectTriplets(embeddings, dim, labels, createRng(seed), { fallback: 'skip' });
      for (const t of mined.triplets) {
        const zone = negativeZone(distance(embeddings, dim, t.anchor, t.positive), distance(embeddings, dim, t.anchor, t.negative));
        assert.equal(zone, 'semi-hard', `seed ${seed}, triplet ${[t.anchor, t.positive, t.negative]}`);
      }
      const reference = referenceTriplets(embeddings, dim, labels, { fallback: 'skip' });
      assert.deepEqual(plain(mined.triplets).map(([a, p]) => [a, p]), reference.map(([a, p]) => [a, p]), `seed ${seed}`);
    }
  });

  it('gives a loss equal to the brute-force sum and a gradient equal to finite differences', () => {
    const embeddings = randomUnitRows(labels.length, dim, 17);
    const { triplets } = selectTriplets(embeddings, dim, labels, createRng(4), { fallback: 'easiest-hard' });
    assert.ok(triplets.length > 0);
    const hinges = triplets.map((t) => distance(embeddings, dim, t.anchor, t.positive) - distance(embeddings, dim, t.anchor, t.negative) + 0.2);
    assert.ok(hinges.every((h) => h > 1e-3), 'fixture keeps every hinge away from its kink');
    const reference = hinges.reduce((s, h) => s + h, 0);
    assert.ok(Math.abs(tripletLoss(embeddings, dim, triplets) - reference) < 1e-9);
    const analytic = tripletLossGradient(embeddings, dim, triplets);
    const numeric = numericGradient(embeddings, (e) => tripletLoss(e, dim, triplets), 1e-4);
    numeric.forEach((value, i) => assert.ok(Math.abs(analytic[i]! - value) < 2e-3, `coordinate ${i}: ${analytic[i]} vs ${value}`));
  });

  it('refuses mismatched labels and a warm-up without a step', () => {
    const embeddings = randomUnitRows(4, dim, 1);
    assert.throws(() => selectTriplets(embeddings, dim, [0, 0, 1], createRng(1)), (e: unknown) => e instanceof LearnInputError && e.field === 'labels');
    assert.throws(
      () => selectTriplets(embeddings, dim, [0, 0, 1, 1], createRng(1), { warmupSteps: 10 }),
      (e: unknown) => e instanceof LearnInputError && e.field === 'step',
    );
  });
});

describe('strangerCandidates', () => {
  it('offers each person the unlabelled faces nearest them, but never one close to their own faces', () => {
    // Person 0 near 0°, person 1 near 90°; pool faces at 5° (maybe person 0, unconfirmed), 40°, 60° and 170°.
    const labelled = circlePoints([0, 10, 90, 100]);
    const pool = circlePoints([5, 40, 60, 170]);
    const candidates = strangerCandidates(labelled, [0, 0, 1, 1], pool, 2, { count: 2, minDistance: 0.1 });
    assert.deepEqual(candidates.get(0), [1, 2], 'the 5° face is within 0.1 of person 0: never their negative');
    assert.deepEqual(candidates.get(1), [2, 1], 'nearest first; 5° is far from person 1, but farther than 40° and 60°');
    assert.throws(() => strangerCandidates(labelled, [0, 0, 1], pool, 2), (e: unknown) => e instanceof LearnInputError && e.field === 'labels');
  });
});
