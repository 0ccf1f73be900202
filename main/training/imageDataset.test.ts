import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { tempDir } from '../../test/fixtures/tempDir.ts';
import { LearnInputError } from '../learn/errors.ts';
import { ImageLoader, readImageDataset, readPeopleFile } from './imageDataset.ts';

/** A 40×20 image: left half red, right half blue, a green 10×10 square in the middle. */
async function writeImage(file: string): Promise<void> {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="20" height="20" fill="#ff0000"/>' +
    '<rect x="20" width="20" height="20" fill="#0000ff"/><rect x="15" y="5" width="10" height="10" fill="#00ff00"/></svg>';
  await sharp(Buffer.from(svg)).png().toFile(file);
}

describe('readImageDataset', () => {
  it('lists identity folders and their images, sorted, skipping hidden entries and other files', async (t) => {
    const dir = tempDir(t);
    for (const [name, files] of [['bob', ['2.png', '1.png', '.x.png', 'notes.txt']], ['alice', ['a.png', 'b.png']], ['.cache', ['c.png']]] as const) {
      mkdirSync(path.join(dir, name));
      for (const file of files) writeFileSync(path.join(dir, name, file), '');
    }
    const dataset = readImageDataset(dir);
    assert.deepEqual(dataset.identities.map((i) => i.id), ['alice', 'bob']);
    assert.deepEqual(dataset.identities[1]!.faces.map((f) => path.basename(f)), ['1.png', '2.png']);
    assert.equal(dataset.images, 4);
  });

  it('keeps only the people a people file names (LFW peopleDevTrain.txt format)', (t) => {
    const dir = tempDir(t);
    for (const name of ['alice', 'bob', 'carol']) {
      mkdirSync(path.join(dir, name));
      for (const file of ['1.png', '2.png']) writeFileSync(path.join(dir, name, file), '');
    }
    writeFileSync(path.join(dir, 'people.txt'), '2\nalice\t2\ncarol\t2\n');
    const people = readPeopleFile(path.join(dir, 'people.txt'));
    assert.deepEqual([...people], ['alice', 'carol']);
    assert.deepEqual(readImageDataset(dir, people).identities.map((i) => i.id), ['alice', 'carol']);
    writeFileSync(path.join(dir, 'bad.txt'), 'alice two\n');
    assert.throws(() => readPeopleFile(path.join(dir, 'bad.txt')), (error: unknown) => error instanceof LearnInputError && /bad.txt:1/.test(error.message));
  });

  it('refuses a folder without two identities of two images, naming the field', (t) => {
    const dir = tempDir(t);
    mkdirSync(path.join(dir, 'solo'));
    writeFileSync(path.join(dir, 'solo', 'a.jpg'), '');
    assert.throws(() => readImageDataset(dir), (e: unknown) => e instanceof LearnInputError && e.field === 'data');
    assert.throws(() => readImageDataset(path.join(dir, 'missing')), (e: unknown) => e instanceof LearnInputError && e.field === 'data');
  });
});

describe('ImageLoader', () => {
  it('centre-crops to the input size in [0, 1] RGB, crops a central fraction first, and caches', async (t) => {
    const file = path.join(tempDir(t), 'img.png');
    await writeImage(file);
    /** The colour a pixel mostly is (resampling blurs edges a little). */
    const colour = (values: Float32Array, width: number, x: number, y: number) => {
      const [r, g, b] = values.subarray((y * width + x) * 3, (y * width + x) * 3 + 3);
      return r! > 0.8 && g! < 0.2 && b! < 0.2 ? 'red' : g! > 0.8 && r! < 0.2 && b! < 0.2 ? 'green' : b! > 0.8 && r! < 0.2 && g! < 0.2 ? 'blue' : 'mixed';
    };
    const whole = new ImageLoader({ size: [10, 10] });
    const square = await whole.loadBatch([file, file]);
    assert.equal(square.length, 2 * 10 * 10 * 3);
    assert.ok(square.every((v) => v >= 0 && v <= 1));
    // Cover then centre: the middle 20×20 of the image, the green square in the centre, red left, blue right.
    assert.equal(colour(square, 10, 5, 5), 'green');
    assert.equal(colour(square, 10, 0, 5), 'red');
    assert.equal(colour(square, 10, 9, 5), 'blue');
    assert.equal(whole.decoded, 1);
    assert.equal(whole.cacheHits, 1);
    // The central half of each side is 20×10, then its middle 10×10 is the green square: all green.
    const cropped = await new ImageLoader({ size: [4, 4], cropFraction: 0.5 }).loadBatch([file]);
    for (const [x, y] of [[0, 0], [3, 3], [0, 3]] as const) assert.equal(colour(cropped, 4, x, y), 'green');
    await assert.rejects(whole.loadBatch([path.join(path.dirname(file), 'nope.png')]), (e: unknown) => e instanceof LearnInputError && /cannot decode/.test(e.message));
  });
});
