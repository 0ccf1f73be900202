import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { HEIF_ENC_MISSING, makeHeic } from '../../test/fixtures/heic.ts';
import { decodeImage, type DecodedImage } from './decode.ts';
import { displayJpeg } from './display.ts';
import { ImageDecodeError } from './errors.ts';
import { heifHasTransform, orientationOperations } from './heic.ts';

/** 64x32: left half red, right half blue. */
function redBlue(width = 64, height = 32): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(x < width / 2 ? [230, 20, 20] : [20, 20, 230], (y * width + x) * 3);
  return data;
}

function colourAt({ image }: DecodedImage, x: number, y: number): 'red' | 'blue' | 'other' {
  const at = (Math.round(y) * image.width + Math.round(x)) * 3;
  const [r, , b] = image.data.subarray(at, at + 3);
  return r! > 150 && b! < 100 ? 'red' : b! > 150 && r! < 100 ? 'blue' : 'other';
}

describe('orientationOperations', () => {
  it('turns every EXIF orientation upright exactly as libvips does for a JPEG', async () => {
    const stored = sharp(redBlue(), { raw: { width: 64, height: 32, channels: 3 } });
    for (let orientation = 1; orientation <= 8; orientation++) {
      const jpeg = await stored.clone().png().toBuffer().then((png) => sharp(png).withMetadata({ orientation }).png().toBuffer());
      const expected = await sharp(jpeg).rotate().raw().toBuffer({ resolveWithObject: true });
      const { flop, flip, rotate } = orientationOperations(orientation);
      let ours = stored.clone();
      if (flop) ours = ours.flop();
      if (flip) ours = ours.flip();
      if (rotate) ours = ours.rotate(rotate);
      const actual = await ours.raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([actual.info.width, actual.info.height], [expected.info.width, expected.info.height], `orientation ${orientation}`);
      assert.ok(actual.data.equals(expected.data), `orientation ${orientation}: pixels differ from libvips' own rotation`);
    }
  });
});

describe('heifHasTransform', () => {
  const box = (type: string, ...children: Buffer[]) => {
    const body = Buffer.concat(children);
    const header = Buffer.alloc(8);
    header.writeUInt32BE(8 + body.length);
    header.write(type, 4, 'latin1');
    return Buffer.concat([header, body]);
  };
  const fullBox = (type: string, ...children: Buffer[]) => box(type, Buffer.alloc(4), ...children);
  it('finds irot and imir in meta > iprp > ipco, and nothing elsewhere', () => {
    const withIrot = Buffer.concat([box('ftyp', Buffer.from('heic')), fullBox('meta', box('iprp', box('ipco', box('ispe', Buffer.alloc(12)), box('irot', Buffer.from([1])))))]);
    const withImir = Buffer.concat([box('ftyp'), fullBox('meta', box('iprp', box('ipco', box('imir', Buffer.from([0])))))]);
    const without = Buffer.concat([box('ftyp'), fullBox('meta', box('iprp', box('ipco', box('ispe', Buffer.alloc(12))))), box('mdat', box('irot'))]);
    assert.equal(heifHasTransform(withIrot), true);
    assert.equal(heifHasTransform(withImir), true);
    assert.equal(heifHasTransform(without), false);
    assert.equal(heifHasTransform(withIrot.subarray(0, withIrot.length - 3)), false, 'a truncated box is not followed');
    assert.equal(heifHasTransform(Buffer.from('not a heif file at all')), false);
  });
});

describe('HEIC made by heif-enc', () => {
  let dir: string;
  let upright: string | undefined;
  let rotated: string | undefined;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-heic-'));
    const stored = sharp(redBlue(), { raw: { width: 64, height: 32, channels: 3 } });
    await stored.clone().jpeg({ quality: 95 }).toFile(path.join(dir, 'plain.jpg'));
    // Stored 64x32 with EXIF orientation 6 and a date: shown 32x64, the stored left (red) half on top.
    await stored.clone().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).withExif({ IFD2: { DateTimeOriginal: '2020:02:29 10:11:12', OffsetTimeOriginal: '+09:00' } })
      .toFile(path.join(dir, 'rotated.jpg'));
    upright = await makeHeic(path.join(dir, 'plain.jpg'), path.join(dir, 'plain.heic'));
    rotated = await makeHeic(path.join(dir, 'rotated.jpg'), path.join(dir, 'rotated.HEIC'));
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('decodes through libheif (WebAssembly): size, colours, file date when there is no EXIF date', async (t) => {
    if (!upright) return t.skip(HEIF_ENC_MISSING);
    const result = await decodeImage(upright);
    if (result instanceof ImageDecodeError) assert.fail(result.message);
    assert.equal(result.format, 'heic');
    assert.deepEqual([result.image.width, result.image.height, result.originalWidth, result.originalHeight], [64, 32, 64, 32]);
    assert.equal(colourAt(result, 8, 16), 'red');
    assert.equal(colourAt(result, 56, 16), 'blue');
    assert.equal(result.dateSource, 'file');
    assert.match(result.takenAt!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  });

  it('applies the EXIF orientation of a HEIC without irot, and reads its date with the offset', async (t) => {
    if (!rotated) return t.skip(HEIF_ENC_MISSING);
    const result = await decodeImage(rotated, { maxSide: 40 });
    if (result instanceof ImageDecodeError) assert.fail(result.message);
    assert.deepEqual([result.originalWidth, result.originalHeight], [32, 64]);
    assert.deepEqual([result.image.width, result.image.height], [20, 40]);
    assert.equal(result.scale, 20 / 32);
    assert.equal(colourAt(result, 10, 8), 'red', 'top is the stored left half');
    assert.equal(colourAt(result, 10, 32), 'blue', 'bottom is the stored right half');
    assert.deepEqual([result.takenAt, result.dateSource], ['2020-02-29T10:11:12+09:00', 'exif']);
  });

  it('is shown as an upright JPEG (browsers cannot show HEIC)', async (t) => {
    if (!rotated) return t.skip(HEIF_ENC_MISSING);
    const meta = await sharp(await displayJpeg(rotated)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 32, 64]);
  });

  it('names the file when a HEIC is damaged', async (t) => {
    if (!upright) return t.skip(HEIF_ENC_MISSING);
    const damaged = path.join(dir, 'damaged.heic');
    const bytes = await fs.readFile(upright);
    await fs.writeFile(damaged, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const result = await decodeImage(damaged);
    assert.ok(result instanceof ImageDecodeError, 'a truncated HEIC is an error value');
    assert.ok(result.message.includes(damaged), result.message);
  });
});
