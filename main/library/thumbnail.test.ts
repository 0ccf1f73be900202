import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import type { RgbImage } from '../core/types.ts';
import { faceThumbnail } from './thumbnail.ts';

function solid(width: number, height: number, value: number): RgbImage {
  return { data: new Uint8Array(width * height * 3).fill(value), width, height };
}

async function pixels(jpeg: Buffer) {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
  return { info, at };
}

describe('faceThumbnail', () => {
  it('makes a size x size JPEG', async () => {
    const image = solid(200, 150, 200);
    const jpeg = await faceThumbnail(image, { x: 80, y: 50, width: 40, height: 50 });
    const meta = await sharp(jpeg).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['jpeg', 112, 112, 3]);
    const small = await sharp(await faceThumbnail(image, { x: 80, y: 50, width: 40, height: 50 }, 48)).metadata();
    assert.deepEqual([small.width, small.height], [48, 48]);
  });

  it('keeps the face centred at the edge of the photo, padding with black', async () => {
    const image = solid(100, 100, 255);
    // Box at the top-left corner: the square (side 20 * 1.5 = 30) starts 5 px outside the image.
    const jpeg = await faceThumbnail(image, { x: 0, y: 0, width: 20, height: 20 }, 30, { quality: 100 });
    const { at } = await pixels(jpeg);
    assert.ok(at(1, 1) < 40, `padding is black, got ${at(1, 1)}`);
    assert.ok(at(15, 15) > 215, `the face area is the image, got ${at(15, 15)}`);
  });

  it('crops the box region, not the whole image', async () => {
    // Left half black, right half white; a box well inside the right half gives a white thumbnail.
    const image = solid(100, 50, 0);
    for (let y = 0; y < 50; y++) image.data.fill(255, (y * 100 + 50) * 3, (y * 100 + 100) * 3);
    const { at } = await pixels(await faceThumbnail(image, { x: 70, y: 20, width: 10, height: 10 }, 32));
    assert.ok(at(0, 0) > 215 && at(31, 31) > 215);
  });

  it('rejects boxes that are empty, not finite, or outside the image', async () => {
    const image = solid(50, 50, 128);
    await assert.rejects(faceThumbnail(image, { x: 0, y: 0, width: 0, height: 10 }), RangeError);
    await assert.rejects(faceThumbnail(image, { x: NaN, y: 0, width: 10, height: 10 }), RangeError);
    await assert.rejects(faceThumbnail(image, { x: 500, y: 500, width: 10, height: 10 }), RangeError);
  });
});
