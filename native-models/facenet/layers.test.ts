/**
 * Each custom piece against a plain-loop reference: the conv gradients the wasm backend lacks, L2 pooling,
 * LRN, maxout, L2 normalisation and an Inception module's shapes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../main/embed/backend.ts';
import { conv2dSame } from './convOps.ts';
import { WeightInit } from './init.ts';
import { createLayer } from './layers/index.ts';
import { LRN_SETTINGS } from './layers/lrn.ts';
import { samePadding } from './shapes.ts';
import { inception, l2Normalize, maxout } from './spec.ts';
import './tfGradients.ts';

/** Deterministic values in [-1, 1). */
function values(count: number, seed: number): Float32Array {
  return new WeightInit(seed).heUniform(count, 6);
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Gradients of Σ conv(x)·dy by plain loops: the adjoint of a 'same' convolution, taps visited one by one. */
function referenceConvGradients(
  x: Float32Array, [n, h, w, cin]: number[],
  filter: Float32Array, k: number, cout: number,
  dy: Float32Array, [ho, wo]: number[], stride: number,
): { dx: Float64Array; dFilter: Float64Array } {
  const dx = new Float64Array(x.length);
  const dFilter = new Float64Array(filter.length);
  const top = samePadding(h!, k, stride).before;
  const left = samePadding(w!, k, stride).before;
  for (let b = 0; b < n!; b++)
    for (let y = 0; y < ho!; y++)
      for (let xo = 0; xo < wo!; xo++)
        for (let i = 0; i < k; i++)
          for (let j = 0; j < k; j++) {
            const iy = y * stride + i - top;
            const ix = xo * stride + j - left;
            if (iy < 0 || iy >= h! || ix < 0 || ix >= w!) continue;
            for (let c = 0; c < cin!; c++)
              for (let o = 0; o < cout; o++) {
                const g = dy[((b * ho! + y) * wo! + xo) * cout + o]!;
                const xi = ((b * h! + iy) * w! + ix) * cin! + c;
                const fi = ((i * k + j) * cin! + c) * cout + o;
                dFilter[fi]! += x[xi]! * g;
                dx[xi]! += filter[fi]! * g;
              }
          }
  return { dx, dFilter };
}

describe('FaceNet layers', () => {
  let tensorsBefore = 0;
  before(async () => {
    await initBackend();
    tensorsBefore = tf.memory().numTensors;
  });
  after(() => assert.equal(tf.memory().numTensors, tensorsBefore, 'every tensor released'));

  for (const [k, stride, h, w] of [[1, 1, 5, 4], [1, 2, 6, 4], [3, 1, 5, 6], [3, 2, 7, 6], [5, 2, 6, 5], [7, 2, 9, 8]] as const) {
    it(`trains a ${k}×${k} stride-${stride} convolution on a ${h}×${w} map: gradients match the reference`, () => {
      const [n, cin, cout] = [2, 3, 4];
      const ho = Math.ceil(h / stride);
      const wo = Math.ceil(w / stride);
      const xv = values(n * h * w * cin, 1);
      const fv = values(k * k * cin * cout, 2);
      const dyv = values(n * ho * wo * cout, 3);
      const [value, dx, dFilter, dBias] = tf.tidy(() => {
        const dy = tf.tensor4d(dyv, [n, ho, wo, cout]);
        const f = (x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor) =>
          tf.sum(tf.mul(conv2dSame(x as tf.Tensor4D, filter as tf.Tensor4D, bias as tf.Tensor1D, stride), dy));
        const result = tf.valueAndGrads(f)([tf.tensor4d(xv, [n, h, w, cin]), tf.tensor4d(fv, [k, k, cin, cout]), tf.zeros([cout])]);
        return [result.value, ...result.grads].map((t) => t.dataSync());
      });
      const reference = referenceConvGradients(xv, [n, h, w, cin], fv, k, cout, dyv, [ho, wo], stride);
      // The forward pass too: conv is linear in x, so <conv(x), dy> = <x, convᵀ(dy)> = <x, dx>.
      const forward = xv.reduce((sum, v, i) => sum + v * reference.dx[i]!, 0);
      assert.ok(Math.abs(value![0]! - forward) < 1e-3, `forward ${value![0]} vs ${forward}`);
      assertClose(dFilter!, reference.dFilter, 1e-4, 'filter gradient');
      assertClose(dx!, reference.dx, 1e-4, 'input gradient');
      const biasReference = Array.from({ length: cout }, (_, o) => dyv.filter((_, i) => i % cout === o).reduce((s, v) => s + v, 0));
      assertClose(dBias!, biasReference, 1e-4, 'bias gradient');
    });
  }

  it('L2-pools each zero-padded 3×3 window to √Σx², borders included', () => {
    const [h, w, c] = [4, 5, 2];
    const xv = values(h * w * c, 4);
    const layer = createLayer({ kind: 'l2Pool', name: 'l2', size: 3, stride: 1 }, [h, w, c]);
    const out = tf.tidy(() => layer.apply(tf.tensor4d(xv, [1, h, w, c])).dataSync());
    const expected: number[] = [];
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              if (y + dy >= 0 && y + dy < h && x + dx >= 0 && x + dx < w) sum += xv[((y + dy) * w + x + dx) * c + ch]! ** 2;
            }
          expected.push(Math.sqrt(sum));
        }
    assertClose(out, expected, 1e-5, 'L2 pool');
    assert.deepEqual(layer.outputShape, [h, w, c]);
  });

  it('normalises across 5 neighbouring channels with the AlexNet constants', () => {
    const c = 7;
    const xv = values(2 * c, 5).map((v) => v * 30); // large enough for the denominator to matter
    const layer = createLayer({ kind: 'lrn', name: 'norm' }, [1, 2, c]);
    const out = tf.tidy(() => layer.apply(tf.tensor4d(xv, [1, 1, 2, c])).dataSync());
    const { depthRadius, bias, alpha, beta } = LRN_SETTINGS;
    const expected = Array.from(xv, (v, i) => {
      const pixel = Math.floor(i / c) * c;
      const channel = i % c;
      let sum = 0;
      for (let j = Math.max(0, channel - depthRadius); j <= Math.min(c - 1, channel + depthRadius); j++) sum += xv[pixel + j]! ** 2;
      return v / (bias + alpha * sum) ** beta;
    });
    assertClose(out, expected, 1e-4, 'LRN');
  });

  it('maxout takes the larger of each unit\'s pieces', () => {
    const layer = createLayer(maxout('fc1', 3, 2), [2, 2, 1]);
    layer.build(new WeightInit(9));
    const xv = values(2 * 4, 6);
    const out = tf.tidy(() => layer.apply(tf.tensor4d(xv, [2, 2, 2, 1])).dataSync());
    const [kernel, bias] = layer.weights.map((weight) => weight.variable.dataSync());
    const expected: number[] = [];
    for (let b = 0; b < 2; b++)
      for (let unit = 0; unit < 3; unit++) {
        const piece = (p: number) => {
          const column = unit * 2 + p;
          let sum = bias![column]!;
          for (let i = 0; i < 4; i++) sum += xv[b * 4 + i]! * kernel![i * 6 + column]!;
          return sum;
        };
        expected.push(Math.max(piece(0), piece(1)));
      }
    assertClose(out, expected, 1e-5, 'maxout');
    assert.equal(layer.params, 4 * 6 + 6);
    layer.dispose();
  });

  it('L2-normalises rows to unit length and leaves a zero row at zero', () => {
    const layer = createLayer(l2Normalize(), [3]);
    const out = tf.tidy(() => layer.apply(tf.tensor2d([3, 4, 0, 0, 0, 0], [2, 3])).dataSync());
    assertClose(out, [0.6, 0.8, 0, 0, 0, 0], 1e-6, 'L2 normalisation');
  });

  it('concatenates an Inception module\'s towers: shape and parameters add up', () => {
    const spec = inception('3c', { conv3x3: { reduce: 8, filters: 16 }, conv5x5: { reduce: 4, filters: 8 }, pool: { type: 'max' }, stride: 2 });
    const layer = createLayer(spec, [7, 7, 12]);
    assert.deepEqual(layer.outputShape, [4, 4, 16 + 8 + 12]);
    assert.equal(layer.params, (12 * 8 + 8) + (9 * 8 * 16 + 16) + (12 * 4 + 4) + (25 * 4 * 8 + 8));
    layer.build(new WeightInit(3));
    const shape = tf.tidy(() => layer.apply(tf.ones([2, 7, 7, 12])).shape);
    assert.deepEqual(shape, [2, 4, 4, 36]);
    assert.equal(layer.weights.length, 8);
    layer.dispose();
  });
});
