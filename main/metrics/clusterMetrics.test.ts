import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bcubedScores, bcubedScoresOver, pairwiseScores } from './clusterMetrics.ts';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

describe('pairwise scores', () => {
  it('hand-computed example', () => {
    // truth {0,1,2} {3,4}; predicted {0,1} {2,3,4}
    // truth pairs 3 + 1 = 4; predicted pairs 1 + 3 = 4; together in both: (0,1), (3,4) = 2
    const s = pairwiseScores([0, 0, 0, 1, 1], [5, 5, 7, 7, 7]);
    assert.equal(s.truePairs, 4);
    assert.equal(s.predictedPairs, 4);
    assert.equal(s.correctPairs, 2);
    close(s.precision, 0.5);
    close(s.recall, 0.5);
    close(s.f1, 0.5);
  });

  it('noise faces form no pairs', () => {
    // truth {0,1,2}; predicted {0,1} and face 2 noise: 1 of 3 true pairs, no false pair
    const s = pairwiseScores([0, 0, 0], [0, 0, -1]);
    close(s.precision, 1);
    close(s.recall, 1 / 3);
    close(s.f1, 0.5);
  });

  it('identical partitions score 1 whatever the label names', () => {
    const s = pairwiseScores([0, 0, 1, 1, 2], [9, 9, 4, 4, 7]);
    close(s.f1, 1);
  });
});

describe('BCubed scores', () => {
  it('hand-computed example', () => {
    // truth {0,1,2} {3,4}; predicted {0,1} {2,3,4}
    // precision per face: 0,1: 2/2; 2: 1/3; 3,4: 2/3 → (1 + 1 + 1/3 + 2/3 + 2/3) / 5 = 11/15
    // recall per face:    0,1: 2/3; 2: 1/3; 3,4: 2/2 → (2/3 + 2/3 + 1/3 + 1 + 1) / 5 = 11/15
    const s = bcubedScores([0, 0, 0, 1, 1], [5, 5, 7, 7, 7]);
    close(s.precision, 11 / 15);
    close(s.recall, 11 / 15);
    close(s.f1, 11 / 15);
  });

  it('everything in one predicted cluster: recall 1, precision by cluster mix', () => {
    // truth {0,1} {2}; predicted {0,1,2}: precision (2/3 + 2/3 + 1/3) / 3 = 5/9
    const s = bcubedScores([0, 0, 1], [0, 0, 0]);
    close(s.precision, 5 / 9);
    close(s.recall, 1);
    close(s.f1, (2 * (5 / 9)) / (5 / 9 + 1));
  });

  it('noise is a singleton per face', () => {
    // truth {0,1}; predicted both noise: precision 1, recall (1/2 + 1/2) / 2 = 1/2
    const s = bcubedScores([3, 3], [-1, -1]);
    close(s.precision, 1);
    close(s.recall, 0.5);
  });

  it('rejects inputs of different lengths', () => {
    assert.throws(() => bcubedScores([0, 1], [0]), RangeError);
  });
});

describe('BCubed over a subset', () => {
  it('scores only the included items, each against its whole cluster and class', () => {
    // truth {0,1,2} {3,4}; predicted {0,1} {2,3,4}; items 0 and 2 included.
    // item 0: precision 2/2, recall 2/3; item 2: precision 1/3, recall 1/3.
    const s = bcubedScoresOver([0, 0, 0, 1, 1], [5, 5, 7, 7, 7], [true, false, true, false, false]);
    close(s.precision, (1 + 1 / 3) / 2);
    close(s.recall, (2 / 3 + 1 / 3) / 2);
  });

  it('equals plain BCubed when every item is included', () => {
    const truth = [0, 0, 0, 1, 1, 2];
    const predicted = [5, 5, 7, 7, 7, 7];
    const all = bcubedScoresOver(truth, predicted, truth.map(() => true));
    close(all.f1, bcubedScores(truth, predicted).f1);
  });
});
