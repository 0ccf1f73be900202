import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/fixtures/tempDir.ts';
import type { TrainProgress } from './train.ts';
import { TrainingCurve, curveChartSvg, movingAverage } from './trainingCurve.ts';

function event(step: number, accuracy?: number): TrainProgress {
  return {
    stage: 'train', step, steps: 10, loss: step === 0 ? 0 : 0.2 / step, activeFraction: step === 0 ? 0 : 0.9, pairs: step === 0 ? 0 : 8,
    semiHard: 8, fallback: 0, secondsPerStep: 1,
    ...(accuracy === undefined ? {} : { validation: { pairs: 100, accuracy, threshold: 1, auc: accuracy } }),
  };
}

describe('training curve', () => {
  it('averages over a trailing window', () => {
    assert.deepEqual(movingAverage([2, 4, 6, 8], 2), [2, 3, 5, 7]);
  });

  it('records the untrained validation, every step, and replaces steps a resumed run repeats', async (t) => {
    const file = path.join(tempDir(t), 'curve.json');
    const curve = new TrainingCurve(file);
    curve.add(event(0, 0.5));
    for (let step = 1; step <= 4; step++) curve.add(event(step, step % 2 === 0 ? 0.5 + step / 20 : undefined));
    const resumed = new TrainingCurve(file); // a run resumed from step 2 repeats 3 and 4
    resumed.add(event(3));
    assert.equal(resumed.length, 4);
    const points = JSON.parse(readFileSync(file, 'utf8')).points;
    assert.deepEqual(points[0], { step: 0, valAccuracy: 0.5, valAuc: 0.5 }, 'step 0 has no loss: no update was made');
    assert.deepEqual(points.map((p: { step: number }) => p.step), [0, 1, 2, 3]);
    await resumed.writeChart('test');
    assert.equal(readFileSync(resumed.chartFile).subarray(1, 4).toString(), 'PNG');
    assert.match(curveChartSvg(points, 'test'), /test: validation.*accuracy.*active fraction/s);
  });
});
