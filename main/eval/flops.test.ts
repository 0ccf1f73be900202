import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convFlops, dlibResnetConvShapes, dlibResnetFlops } from './flops.ts';

test('convFlops counts a multiply and an add per weight per output pixel', () => {
  assert.equal(convFlops({ name: 'x', kernel: 3, inChannels: 2, outChannels: 4, outSize: 5 }), 2 * 9 * 2 * 4 * 25);
});

test("dlib ResNet: 29 convolutions with the shapes the tfjs forward pass produces, about 0.54 GFLOP per face", () => {
  const layers = dlibResnetConvShapes();
  assert.equal(layers.length, 29);
  assert.deepEqual(layers[0], { name: 'conv32_down', kernel: 7, inChannels: 3, outChannels: 32, outSize: 72 });
  assert.deepEqual(layers.find((l) => l.name === 'conv32_1/conv1')?.outSize, 35);
  assert.deepEqual(layers.find((l) => l.name === 'conv256_1/conv1')?.outSize, 4); // after the pad to the pooled 4×4
  const total = dlibResnetFlops();
  assert.ok(total > 0.53e9 && total < 0.55e9, `${total}`);
});
