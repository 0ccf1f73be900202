/** shrinkRgb against the JS area filter it stands in for, on a real photo, and its refusals. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shrinkArea } from './rgbResize.ts';
import { loadSample } from './testing/sampleImages.ts';
import { shrinkRgb } from './shrinkRgb.ts';

test('a real photo shrunk to 0.4 and to 512 px: the area filter\'s pixels, within a grey level or so', async () => {
  const photo = await loadSample('sample1');
  for (const scale of [0.4, 512 / Math.max(photo.width, photo.height)]) {
    const width = Math.round(photo.width * scale), height = Math.round(photo.height * scale);
    const fast = await shrinkRgb(photo, width, height);
    const area = shrinkArea(photo, width, height);
    assert.deepEqual([fast.width, fast.height, fast.data.length], [width, height, width * height * 3]);
    let total = 0, worst = 0;
    for (let i = 0; i < area.data.length; i++) {
      const difference = Math.abs(fast.data[i]! - area.data[i]!);
      total += difference;
      worst = Math.max(worst, difference);
    }
    const mean = total / area.data.length;
    assert.ok(mean < 2, `mean difference ${mean.toFixed(2)} at ${width}x${height}`);
    assert.ok(worst < 128, `largest difference ${worst} at ${width}x${height}`);
  }
});

test('a flat colour stays that colour; the same size is the image itself; growing or a wrong buffer is refused', async () => {
  const width = 301, height = 203;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set([200, 40, 90], i);
  const image = { data, width, height };
  const shrunk = await shrinkRgb(image, 120, 81);
  for (let i = 0; i < shrunk.data.length; i += 3) assert.deepEqual([...shrunk.data.subarray(i, i + 3)], [200, 40, 90], `pixel ${i / 3}`);
  assert.equal(await shrinkRgb(image, width, height), image);
  await assert.rejects(shrinkRgb(image, width + 1, height), /cannot shrink to 302x203/);
  await assert.rejects(shrinkRgb({ data: data.subarray(3), width, height }, 10, 10), /are not 301x203 RGB pixels/);
});
