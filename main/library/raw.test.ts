import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { writeDng } from '../../test/fixtures/dng.ts';
import { decodeImage } from './decode.ts';
import { displayJpeg } from './display.ts';
import { ImageDecodeError } from './errors.ts';
import { extractRawPreview, isRawPath, RawPreviewError } from './raw.ts';

describe('camera RAW through its embedded JPEG', () => {
  let dir: string;
  let dng: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-raw-'));
    const width = 96, height = 48;
    const data = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(x < width / 2 ? [230, 20, 20] : [20, 20, 230], (y * width + x) * 3);
    const source = await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
    // Stored 96x48 (the sensor's landscape), Orientation 6: the camera was turned, the photo is 48x96.
    dng = path.join(dir, 'IMG_0001.DNG');
    await writeDng(dng, source, { orientation: 6, dateTimeOriginal: '2018:01:02 03:04:05', offsetTimeOriginal: '-05:00' });
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('knows the RAW extensions, in any case', () => {
    for (const ext of ['dng', 'CR2', 'cr3', 'NEF', 'arw', 'ORF', 'raf', 'RW2']) assert.ok(isRawPath(`/a/b.${ext}`), ext);
    assert.ok(!isRawPath('/a/b.jpg') && !isRawPath('/a/dng'));
  });

  it('extracts the DNG preview with the RAW size, orientation and date (ExifTool)', async () => {
    const preview = await extractRawPreview(dng);
    assert.equal(preview.source, 'PreviewImage');
    assert.deepEqual([preview.jpeg[0], preview.jpeg[1]], [0xff, 0xd8]);
    assert.deepEqual([preview.rawWidth, preview.rawHeight, preview.orientation], [96, 48, 6]);
    assert.equal(preview.takenAt, '2018-01-02T03:04:05-05:00');
  });

  it('decodes upright in the RAW size: stored left half on top', async () => {
    const result = await decodeImage(dng);
    if (result instanceof ImageDecodeError) assert.fail(result.message);
    assert.equal(result.format, 'raw');
    assert.deepEqual([result.originalWidth, result.originalHeight, result.image.width, result.image.height], [48, 96, 48, 96]);
    const at = (x: number, y: number) => Array.from(result.image.data.subarray((y * 48 + x) * 3, (y * 48 + x) * 3 + 3));
    assert.ok(at(24, 10)[0]! > 150 && at(24, 10)[2]! < 100, `top is red, got ${at(24, 10)}`);
    assert.ok(at(24, 85)[2]! > 150 && at(24, 85)[0]! < 100, `bottom is blue, got ${at(24, 85)}`);
    assert.deepEqual([result.takenAt, result.dateSource], ['2018-01-02T03:04:05-05:00', 'exif']);
  });

  it('is shown as an upright JPEG (the photo view cannot show a RAW)', async () => {
    const jpeg = await displayJpeg(dng);
    const meta = await sharp(jpeg).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 48, 96]);
  });

  it('a RAW without a JPEG preview, or not a RAW at all, is an error naming the file', async () => {
    const fake = path.join(dir, 'fake.nef');
    await fs.writeFile(fake, 'this is not a Nikon file');
    await assert.rejects(extractRawPreview(fake), (error: unknown) => error instanceof RawPreviewError && error.message.includes(fake));
    const result = await decodeImage(fake);
    assert.ok(result instanceof ImageDecodeError && result.message.includes(fake), String(result));
  });
});
