/**
 * NN1 built for real: 140M weights, about 0.6 GB in the wasm heap plus as much again for XNNPACK's packed
 * copy of the fully connected layers; ~15 s on the shared development machine. Opt-in with
 * FACET_HEAVY_TESTS=1. Its counts are checked without allocation in archTable.test.ts.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../main/embed/backend.ts';
import { archTable } from './archTable.ts';
import { createFaceNet } from './model.ts';

const heavy = process.env.FACET_HEAVY_TESTS === '1';

describe('NN1, built', { skip: heavy ? false : 'set FACET_HEAVY_TESTS=1 to build its 140M weights' }, () => {
  before(() => initBackend());

  it('holds the weights its table counts and embeds a random image as a unit-norm 128-D row', () => {
    const tensorsBefore = tf.memory().numTensors;
    const net = createFaceNet('NN1'); // built once: the count and the forward pass share it
    try {
      assert.equal(net.paramCount, archTable('NN1').totals.params);
      assert.ok(Math.abs(net.paramCount - 140e6) < 14e6, `NN1 params ${net.paramCount}`);
      const values = tf.tidy(() => {
        const image = tf.randomUniform([1, 220, 220, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
        return net.embed(image).dataSync();
      });
      assert.equal(values.length, 128);
      assert.ok(Math.abs(Math.hypot(...values) - 1) < 1e-4);
    } finally {
      net.dispose();
    }
    assert.equal(tf.memory().numTensors, tensorsBefore, 'every tensor released');
  });
});
