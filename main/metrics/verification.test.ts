import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestAccuracyThreshold, evaluateVerification, rocAuc, thresholdAtFar, type ScoredPair } from './verification.ts';

const pair = (distance: number, same: boolean, fold = 0): ScoredPair => ({ distance, same, fold });

test('a perfectly separable set gives accuracy 1, AUC 1 and a threshold between the classes', () => {
  const pairs = [pair(0.2, true), pair(0.4, true), pair(1.2, false), pair(1.6, false)];
  const t = bestAccuracyThreshold(pairs);
  assert.ok(t > 0.4 && t < 1.2, `threshold ${t}`);
  assert.equal(rocAuc(pairs), 1);
});

test('AUC counts ties as half and inverted sets as 0', () => {
  assert.equal(rocAuc([pair(1, true), pair(1, false)]), 0.5);
  assert.equal(rocAuc([pair(2, true), pair(1, false)]), 0);
  // 2 sames × 2 diffs: same 0.5 beats both diffs, same 1.5 beats one of them → 3/4.
  assert.equal(rocAuc([pair(0.5, true), pair(1.5, true), pair(1, false), pair(2, false)]), 0.75);
});

test('thresholdAtFar admits no more than the allowed false accepts', () => {
  const diffs = Array.from({ length: 1000 }, (_, i) => pair(1 + i / 1000, false));
  const t = thresholdAtFar(diffs, 1e-3);
  assert.equal(diffs.filter((p) => p.distance <= t).length, 1);
  const strict = thresholdAtFar(diffs, 0);
  assert.equal(diffs.filter((p) => p.distance <= strict).length, 0);
});

test('ten-fold evaluation picks thresholds on the other folds and reports fold accuracies', () => {
  const pairs: ScoredPair[] = [];
  for (let fold = 0; fold < 10; fold++) {
    for (let i = 0; i < 10; i++) {
      pairs.push(pair(0.5 + i * 0.05, true, fold));
      pairs.push(pair(1.0 + i * 0.05, false, fold));
    }
  }
  // One same pair in fold 3 lies far out: only that fold loses accuracy.
  pairs.find((p) => p.fold === 3 && p.same)!.distance = 3;
  const result = evaluateVerification(pairs);
  assert.equal(result.folds, 10);
  assert.equal(result.pairs, 200);
  assert.equal(result.foldAccuracies[3], 19 / 20);
  assert.ok(result.foldAccuracies.filter((a, i) => i !== 3).every((a) => a >= 0.95));
  assert.ok(result.stderr > 0);
  assert.ok(result.auc < 1 && result.auc > 0.9);
});
