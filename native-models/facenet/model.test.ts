/**
 * Built networks: unit-norm 128-D embeddings, weights that match the table, and trainable variables.
 * NN1 (140M weights, ~0.6 GB) has its own opt-in test, nn1.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../main/embed/backend.ts';
import { selectTriplets } from '../../main/learn/mining.ts';
import { createRng } from '../../main/core/random.ts';
import { tripletLossTensor } from '../../main/training/tripletLossTf.ts';
import { archTable } from './archTable.ts';
import { FaceNetError } from './errors.ts';
import { type FaceNetModel, createFaceNet } from './model.ts';

/** [batch, h, w, 3] images in [0, 1), the same for the same seed. */
function randomImages(net: FaceNetModel, batch: number, seed: number): tf.Tensor4D {
  const [h, w, c] = net.inputShape as [number, number, number];
  return tf.randomUniform([batch, h, w, c], 0, 1, 'float32', seed) as tf.Tensor4D;
}

/** Embeds and reads back, releasing the tensors. */
function embedValues(net: FaceNetModel, batch: number, seed: number): { shape: number[]; values: Float32Array } {
  return tf.tidy(() => {
    const embeddings = net.embed(randomImages(net, batch, seed));
    return { shape: embeddings.shape, values: embeddings.dataSync() as Float32Array };
  });
}

function rowNorms(values: Float32Array, dim: number): number[] {
  return Array.from({ length: values.length / dim }, (_, row) =>
    Math.hypot(...values.subarray(row * dim, (row + 1) * dim)),
  );
}

describe('FaceNetModel', () => {
  let tensorsBefore = 0;
  before(async () => {
    await initBackend();
    tensorsBefore = tf.memory().numTensors;
  });
  after(() => assert.equal(tf.memory().numTensors, tensorsBefore, 'every tensor released'));

  for (const name of ['NN2', 'NN3', 'NN4', 'NNS1', 'NNS2']) {
    it(`${name} embeds random images as unit-norm 128-D rows, with the weights its table counts`, () => {
      const net = createFaceNet(name);
      try {
        assert.equal(net.paramCount, archTable(name).totals.params);
        const { shape, values } = embedValues(net, 2, 7);
        assert.deepEqual(shape, [2, 128]);
        for (const norm of rowNorms(values, 128)) assert.ok(Math.abs(norm - 1) < 1e-4, `norm ${norm}`);
        assert.ok(values.some((v, i) => Math.abs(v - values[128 + i]!) > 1e-4), 'two images, two embeddings');
      } finally {
        net.dispose();
      }
    });
  }

  it('replays the same weights from the same seed', () => {
    const embed = (seed: number) => {
      const net = createFaceNet('NNS2', { seed });
      try {
        return embedValues(net, 1, 3).values;
      } finally {
        net.dispose();
      }
    };
    assert.deepEqual(embed(5), embed(5));
    assert.notDeepEqual(embed(5), embed(6));
  });

  it('refuses images of the wrong size and use after dispose, naming the field', () => {
    const net = createFaceNet('nns2');
    const wrong = tf.zeros([1, 96, 96, 3]) as tf.Tensor4D;
    try {
      assert.throws(() => net.embed(wrong), (e: unknown) => e instanceof FaceNetError && e.field === 'images' && /140, 116, 3/.test(e.message));
    } finally {
      net.dispose();
    }
    assert.throws(() => net.embed(wrong), (e: unknown) => e instanceof FaceNetError && e.field === 'model');
    wrong.dispose();
  });

  it('trains: every variable gets a finite gradient and four Adam steps halve the triplet loss on a fixed batch', () => {
    const net = createFaceNet('NNS2', { seed: 2 });
    const optimizer = tf.train.adam(1e-3);
    const images = randomImages(net, 6, 11);
    const labels = [0, 0, 1, 1, 2, 2];
    try {
      const embeddings = tf.tidy(() => net.embed(images).dataSync() as Float32Array);
      const { triplets } = selectTriplets(embeddings, 128, labels, createRng(1), { fallback: 'hardest' });
      assert.ok(triplets.length > 0);
      const loss = () => tripletLossTensor(net.embed(images), triplets);
      const losses: number[] = [];
      for (let step = 0; step < 4; step++) {
        const { value, grads } = tf.variableGrads(loss, net.variables);
        losses.push(value.dataSync()[0]!);
        if (step === 0) {
          assert.equal(Object.keys(grads).length, net.variables.length, 'a gradient for every variable');
          for (const [variable, grad] of Object.entries(grads)) {
            assert.ok(grad.dataSync().every(Number.isFinite), `finite gradient for ${variable}`);
          }
        }
        optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
        tf.dispose([value, grads]);
      }
      assert.ok(losses.at(-1)! < losses[0]! / 2, `loss ${losses.map((l) => l.toFixed(4)).join(' → ')}`);
    } finally {
      images.dispose();
      optimizer.dispose();
      net.dispose();
    }
  });
});
