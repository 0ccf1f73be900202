import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { generateFixtures, type LibraryFixtures } from '../../test/fixtures/generate.ts';
import { decodeForDetection, decodeImage, toOriginalBox, type DecodedImage } from './decode.ts';
import { ImageDecodeError } from './errors.ts';
import { readDateTaken } from './exif.ts';

async function decoded(file: string, options?: Parameters<typeof decodeImage>[1]): Promise<DecodedImage> {
  const result = await decodeImage(file, options);
  if (result instanceof ImageDecodeError) assert.fail(`${file}: ${result.message}`);
  return result;
}

function pixel({ image }: DecodedImage, x: number, y: number): number[] {
  const at = (y * image.width + x) * 3;
  return Array.from(image.data.subarray(at, at + 3));
}

describe('decodeImage', () => {
  let fx: LibraryFixtures;
  before(async () => {
    fx = await generateFixtures(await fs.mkdtemp(path.join(os.tmpdir(), 'facet-decode-')));
  });
  after(() => fs.rm(fx.root, { recursive: true, force: true }));

  it('applies EXIF orientation 6: stored 40x20 comes out 20x40, left edge on top', async () => {
    const result = await decoded(fx.files.rotated6);
    assert.deepEqual([result.image.width, result.image.height], [20, 40]);
    assert.deepEqual([result.originalWidth, result.originalHeight], [20, 40]);
    const [r, , b] = pixel(result, 10, 5);
    assert.ok(r! > 200 && b! < 50, `top is the stored left half (red), got ${pixel(result, 10, 5)}`);
    const [r2, , b2] = pixel(result, 10, 35);
    assert.ok(b2! > 200 && r2! < 50, `bottom is the stored right half (blue), got ${pixel(result, 10, 35)}`);
    assert.equal(result.takenAt, '2019-07-14T15:03:22');
  });

  it('turns CMYK, 16-bit, greyscale, alpha, GIF and AVIF into 8-bit, 3-channel RGB', async () => {
    const { cmyk, rgb16, grey, alpha, animatedGif, avif, plain } = fx.files;
    for (const file of [cmyk, rgb16, grey, alpha, animatedGif, avif, plain]) {
      const { image } = await decoded(file);
      assert.ok(image.data instanceof Uint8Array, file);
      assert.equal(image.data.length, image.width * image.height * 3, file);
    }
    const [r, g, b] = pixel(await decoded(grey), 3, 3);
    assert.ok(r === g && g === b, 'grey stays grey');
    assert.deepEqual(pixel(await decoded(alpha), 0, 0), [255, 255, 255], 'transparent becomes white');
    const gif = await decoded(animatedGif);
    assert.deepEqual([gif.image.width, gif.image.height], [16, 16], 'one frame, not the strip');
    assert.ok(pixel(gif, 8, 8)[0]! > 200, 'first frame (red)');
  });

  it('shrinks to maxSide on load and maps boxes back to the original', async () => {
    const file = path.join(fx.root, 'large.jpg');
    await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#336699' } }).jpeg().toFile(file);
    const byDefault = await decoded(file);
    assert.deepEqual([byDefault.image.width, byDefault.image.height], [2000, 1000], 'a photo under 4096 px decodes whole: the small-face pass needs its pixels');
    const huge = path.join(fx.root, 'huge.jpg');
    await sharp({ create: { width: 8192, height: 4096, channels: 3, background: '#336699' } }).jpeg().toFile(huge);
    const bounded = await decoded(huge);
    assert.deepEqual([bounded.image.width, bounded.image.height, bounded.scale], [4096, 2048, 0.5], 'larger photos shrink to 4096 px: memory stays bounded');
    const small = await decoded(file, { maxSide: 500 });
    assert.deepEqual([small.image.width, small.image.height, small.originalWidth, small.originalHeight], [500, 250, 2000, 1000]);
    assert.equal(small.scale, 0.25);
    assert.deepEqual(toOriginalBox({ x: 10, y: 20, width: 30, height: 40 }, small), { x: 40, y: 80, width: 120, height: 160 });
    const full = await decoded(file, { maxSide: Infinity });
    assert.deepEqual([full.image.width, full.scale], [2000, 1]);
  });

  it('never enlarges a small image', async () => {
    const result = await decoded(fx.files.plain, { maxSide: 1000 });
    assert.deepEqual([result.image.width, result.image.height, result.scale], [64, 48, 1]);
  });

  it('returns an ImageDecodeError naming the file for every bad file', async () => {
    const expected: Array<[string, string]> = [
      [fx.files.truncated, 'corrupt'],
      [fx.files.empty, 'empty'],
      [fx.files.random, 'unsupported-format'],
      [fx.files.notes, 'unsupported-format'],
      [fx.files.hugeHeader, 'too-large'],
      [fx.files.dangling, 'unreadable'],
      [path.join(fx.root, 'photos'), 'unreadable'],
    ];
    for (const [file, reason] of expected) {
      const result = await decodeImage(file);
      assert.ok(result instanceof ImageDecodeError, `${file} should fail`);
      assert.equal(result.name, 'ImageDecodeError');
      assert.equal(result.file, file);
      assert.equal(result.reason, reason, `${file}: ${result.message}`);
      assert.ok(result.message.includes(file));
    }
  });

  it('refuses images over maxInputPixels before decoding them', async () => {
    const result = await decodeImage(fx.files.plain, { maxInputPixels: 1000 });
    assert.ok(result instanceof ImageDecodeError);
    assert.equal(result.reason, 'too-large');
  });

  it('rejects nonsense options as a programming error', async () => {
    await assert.rejects(decodeImage(fx.files.plain, { maxSide: 0 }), RangeError);
    await assert.rejects(decodeImage(fx.files.plain, { maxSide: 12.5 }), RangeError);
  });

  it('decodeForDetection throws the ImageDecodeError instead', async () => {
    await assert.rejects(decodeForDetection(fx.files.random), (error) => error instanceof ImageDecodeError && error.file === fx.files.random);
    assert.equal((await decodeForDetection(fx.files.plain)).image.width, 64);
  });

  it('readDateTaken reads the header only, and knows no date as undefined', async () => {
    assert.equal(await readDateTaken(fx.files.rotated6), '2019-07-14T15:03:22');
    assert.equal(await readDateTaken(fx.files.plain), undefined);
    assert.equal(await readDateTaken(fx.files.random), undefined);
  });
});
