import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../embed/backend.ts';
import { selectTriplets } from '../learn/mining.ts';
import { createRng } from '../core/random.ts';
import { blockLabels, randomUnitRows } from '../learn/testData.ts';
import { type Triplet, tripletLossWithGradient } from '../learn/tripletLoss.ts';
import { tripletLossTensor } from './tripletLossTf.ts';

describe('tripletLossTensor', () => {
  const dim = 16;
  const labels = blockLabels(3, 4);
  const embeddings = randomUnitRows(labels.length, dim, 3);
  let tensorsBefore = 0;

  before(async () => {
    await initBackend();
    tensorsBefore = tf.memory().numTensors;
  });

  after(() => assert.equal(tf.memory().numTensors, tensorsBefore, 'every tensor released'));

  /** Loss and ∂loss/∂embeddings through tf.variableGrads. */
  function viaTf(triplets: readonly Triplet[], reduction: 'sum' | 'mean' = 'sum'): { loss: number; gradient: Float32Array } {
    const initial = tf.tensor2d(embeddings, [labels.length, dim]);
    const variable = tf.variable(initial);
    initial.dispose(); // the variable keeps the data alive
    const { value, grads } = tf.variableGrads(() => tripletLossTensor(variable, triplets, { reduction }), [variable]);
    const result = { loss: value.dataSync()[0]!, gradient: grads[variable.name]!.dataSync() as Float32Array };
    tf.dispose([value, grads, variable]);
    return result;
  }

  it('matches the pure loss and its analytic gradient on mined triplets, rows shared between triplets', () => {
    const { triplets } = selectTriplets(embeddings, dim, labels, createRng(2), { fallback: 'hardest' });
    assert.ok(triplets.length > 4);
    for (const reduction of ['sum', 'mean'] as const) {
      const pure = tripletLossWithGradient(embeddings, dim, triplets, { reduction });
      const tensor = viaTf(triplets, reduction);
      assert.ok(Math.abs(tensor.loss - pure.loss) < 1e-5 * Math.max(1, pure.loss), `${reduction}: ${tensor.loss} vs ${pure.loss}`);
      pure.gradient.forEach((value, i) => assert.ok(Math.abs(tensor.gradient[i]! - value) < 1e-5, `${reduction}, coordinate ${i}`));
    }
  });

  it('gives zero loss and a zero gradient for no triplets', () => {
    const { loss, gradient } = viaTf([]);
    assert.equal(loss, 0);
    assert.ok(gradient.every((value) => value === 0));
  });
});
