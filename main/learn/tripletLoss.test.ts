import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LearnInputError } from './errors.ts';
import { circlePoints, numericGradient, randomUnitRows } from './testData.ts';
import {
  type Triplet,
  squaredDistances,
  tripletHinge,
  tripletLoss,
  tripletLossGradient,
  tripletLossWithGradient,
} from './tripletLoss.ts';

const chord2 = (deg: number) => 2 - 2 * Math.cos((deg * Math.PI) / 180);

describe('squaredDistances', () => {
  it('gives 2 - 2cos(Δ) for points on the unit circle, symmetric with a zero diagonal', () => {
    const d = squaredDistances(circlePoints([0, 30, 90]), 2);
    const expected = [0, chord2(30), chord2(90), chord2(30), 0, chord2(60), chord2(90), chord2(60), 0];
    expected.forEach((value, i) => assert.ok(Math.abs(d[i]! - value) < 1e-6, `entry ${i}: ${d[i]} vs ${value}`));
  });

  it('names the field at fault when the shape does not add up', () => {
    assert.throws(() => squaredDistances(new Float32Array(5), 2), (e: unknown) => e instanceof LearnInputError && e.field === 'embeddings');
    assert.throws(() => squaredDistances(new Float32Array(4), 0), (e: unknown) => e instanceof LearnInputError && e.field === 'dim');
  });
});

describe('tripletLoss', () => {
  // Anchor at 0°, positive at 20°, negatives at 30° (inside the margin) and 90° (beyond it).
  const embeddings = circlePoints([0, 20, 30, 90]);
  const inside: Triplet = { anchor: 0, positive: 1, negative: 2 };
  const beyond: Triplet = { anchor: 0, positive: 1, negative: 3 };

  it('sums the hinges by hand', () => {
    const expected = chord2(20) - chord2(30) + 0.2;
    assert.ok(Math.abs(tripletLoss(embeddings, 2, [inside, beyond]) - expected) < 1e-6);
    assert.ok(Math.abs(tripletLoss(embeddings, 2, [inside], { margin: 0.5 }) - (expected + 0.3)) < 1e-6);
    assert.ok(Math.abs(tripletLoss(embeddings, 2, [inside, beyond], { reduction: 'mean' }) - expected / 2) < 1e-6);
    assert.equal(tripletLoss(embeddings, 2, []), 0);
  });

  it('has the analytic gradient 2(n-p), 2(p-a), 2(a-n) for active triplets only', () => {
    const { gradient, activeTriplets } = tripletLossWithGradient(embeddings, 2, [inside, beyond]);
    assert.equal(activeTriplets, 1);
    const row = (i: number) => [embeddings[2 * i]!, embeddings[2 * i + 1]!];
    const [a, p, n] = [row(0), row(1), row(2)];
    const expected = [...a.map((_, k) => 2 * (n[k]! - p[k]!)), ...p.map((pk, k) => 2 * (pk - a[k]!)), ...a.map((ak, k) => 2 * (ak - n[k]!)), 0, 0];
    expected.forEach((value, i) => assert.ok(Math.abs(gradient[i]! - value) < 1e-6, `coordinate ${i}`));
  });

  it('matches finite differences on random unit embeddings with shared rows', () => {
    const dim = 8;
    const embeddings = randomUnitRows(6, dim, 7);
    // Rows recur across triplets so that accumulation is exercised.
    const triplets: Triplet[] = [
      { anchor: 0, positive: 1, negative: 2 },
      { anchor: 1, positive: 0, negative: 3 },
      { anchor: 0, positive: 4, negative: 5 },
      { anchor: 5, positive: 2, negative: 0 },
      { anchor: 3, positive: 4, negative: 1 },
    ];
    const options = { margin: 0.5 };
    const hinges = triplets.map((t) => tripletHinge(embeddings, dim, t, options.margin));
    // Preconditions of the fixture: both active and inactive triplets, none near the kink where the gradient jumps.
    assert.ok(hinges.some((h) => h > 0) && hinges.some((h) => h < 0), `hinges ${hinges}`);
    assert.ok(hinges.every((h) => Math.abs(h) > 0.01), `hinges ${hinges}`);
    const analytic = tripletLossGradient(embeddings, dim, triplets, options);
    const numeric = numericGradient(embeddings, (e) => tripletLoss(e, dim, triplets, options));
    numeric.forEach((value, i) => assert.ok(Math.abs(analytic[i]! - value) < 1e-3, `coordinate ${i}: ${analytic[i]} vs ${value}`));
  });

  it('refuses triplets that name rows outside the batch', () => {
    assert.throws(
      () => tripletLoss(embeddings, 2, [{ anchor: 0, positive: 1, negative: 4 }]),
      (e: unknown) => e instanceof LearnInputError && e.field === 'triplets',
    );
    assert.throws(() => tripletLoss(embeddings, 2, [], { margin: -1 }), (e: unknown) => e instanceof LearnInputError && e.field === 'margin');
  });
});
