import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LearnInputError } from './errors.ts';
import { HeldOutTally, heldOutPairs, holdoutFolds, pairedT, pairsWithin } from './holdout.ts';
import { createRng } from '../core/random.ts';

describe('holdoutFolds', () => {
  const labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2];

  it('holds every face out exactly once, about a fifth of each person per fold, two training faces kept', () => {
    const folds = holdoutFolds(labels, 0.2, createRng(1));
    assert.equal(folds.length, 5);
    const heldCount = new Map<number, number>();
    for (const fold of folds) {
      assert.deepEqual([...fold.train, ...fold.heldOut].sort((a, b) => a - b), labels.map((_, i) => i), 'a partition');
      for (const face of fold.heldOut) heldCount.set(face, (heldCount.get(face) ?? 0) + 1);
      for (const person of [0, 1, 2]) {
        assert.ok(fold.train.filter((i) => labels[i] === person).length >= 2, `person ${person} keeps two training faces`);
      }
      const ofPerson1 = fold.heldOut.filter((i) => labels[i] === 1).length;
      assert.ok(ofPerson1 === 2 || ofPerson1 === 3, '12 faces over 5 folds');
      assert.equal(fold.heldOut.filter((i) => labels[i] === 0).length, 1, 'five faces: one per fold');
    }
    // Person 2 has three faces: one per fold in three folds, and each stays at two training faces.
    assert.deepEqual([...heldCount.keys()].sort((a, b) => a - b), labels.map((_, i) => i));
    assert.ok([...heldCount.values()].every((count) => count === 1));
  });

  it('refuses a person with fewer than three faces and a fraction outside (0, 0.5]', () => {
    assert.throws(() => holdoutFolds([0, 0, 0, 1, 1], 0.2, createRng(1)), (e: unknown) => e instanceof LearnInputError && e.field === 'labels');
    assert.throws(() => holdoutFolds(labels, 0.7, createRng(1)), (e: unknown) => e instanceof LearnInputError && e.field === 'holdout');
  });
});

describe('held-out pairs', () => {
  it('are every pair with a held-out face, or a sample of maxPairs', () => {
    const split = { train: [0, 1, 2], heldOut: [3, 4] };
    const pairs = heldOutPairs(split, 1000, createRng(1));
    assert.deepEqual(pairs.map((p) => p.join('-')).sort(), ['3-0', '3-1', '3-2', '3-4', '4-0', '4-1', '4-2'].sort());
    assert.equal(heldOutPairs(split, 4, createRng(1)).length, 4);
    assert.equal(pairsWithin([0, 1, 2, 3], 6, createRng(1)).length, 6);
    assert.equal(pairsWithin([0, 1, 2, 3, 4], 6, createRng(1)).length, 6);
  });
});

describe('HeldOutTally', () => {
  it('judges held-out pairs at the threshold chosen on training pairs and credits each held-out face', () => {
    const tally = new HeldOutTally();
    const split = { train: [0, 1, 2, 3], heldOut: [4, 5] };
    const pairs = [[4, 0], [4, 2], [5, 0], [5, 2]] as const;
    const train = [
      { distance: 0.2, same: true, fold: 0 },
      { distance: 0.4, same: true, fold: 0 },
      { distance: 1.0, same: false, fold: 0 },
      { distance: 1.2, same: false, fold: 0 },
    ];
    // Threshold from training pairs: 0.7 (midpoint of 0.4 and 1.0). Base gets two of four right; adapted all.
    const base = { train, test: [0.9, 0.5, 0.3, 1.1].map((distance, i) => ({ distance, same: i % 3 === 0, fold: 0 })) };
    const adapted = { train, test: [0.3, 1.1, 0.9, 0.3].map((distance, i) => ({ distance, same: i % 3 === 0, fold: 0 })) };
    tally.addFold(split, pairs, base, adapted);
    const result = tally.result();
    assert.equal(result.base.threshold, 0.7);
    assert.equal(result.base.pairs, 4);
    assert.equal(result.base.samePairs, 2);
    assert.equal(result.base.accuracy, 0);
    assert.equal(result.adapted.accuracy, 1);
    assert.equal(result.gain, 1);
    assert.equal(result.faces, 2);
    assert.equal(result.t, 1e6, 'every face improved alike');
  });

  it('pairedT is the one-sample t statistic', () => {
    assert.equal(pairedT([]), 0);
    assert.equal(pairedT([0, 0, 0]), 0);
    assert.ok(Math.abs(pairedT([1, 2, 3]) - 2 / Math.sqrt(1 / 3)) < 1e-12);
    assert.ok(pairedT([-1, -2, -3]) < 0);
  });
});
