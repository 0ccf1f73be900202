import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { OnnxSsdDetector } from '../faces/onnxDetector.ts';
import { SmallFaceDetector } from '../faces/smallFaces.ts';
import { decodeImage } from '../library/decode.ts';
import { bandOf, demoPhotos, matchFaces } from './benchDetect.ts';
import { composeGroupPhotos } from './benchDetectPhotos.ts';

const LFW = path.resolve(process.env.FACET_LFW_DIR ?? path.join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'lfw'));
const noLfw = !existsSync(path.join(LFW, 'images_deepfunneled')) && `LFW not found at ${LFW} (set FACET_LFW_DIR)`;

test('matching is one-to-one, best IoU first, and sizes fall in their bands', () => {
  const truth = [{ x: 0, y: 0, width: 50, height: 50 }, { x: 100, y: 0, width: 70, height: 70 }];
  const found = [{ x: 2, y: 2, width: 50, height: 50 }, { x: 0, y: 0, width: 48, height: 52 }, { x: 400, y: 400, width: 90, height: 90 }];
  assert.deepEqual([...matchFaces(truth, found)], [0]);
  assert.equal(bandOf(truth[0]!), '40-60');
  assert.equal(bandOf(truth[1]!), '60-90');
  assert.equal(bandOf({ x: 0, y: 0, width: 300, height: 120 }), '90+');
  assert.equal(bandOf({ x: 0, y: 0, width: 30, height: 30 }), null);
});

test('the demo ground truth lists 22 faces in the six face-api photos', () => {
  const photos = demoPhotos();
  assert.equal(photos.length, 6);
  assert.equal(photos.reduce((sum, p) => sum + p.faces.length, 0), 22);
});

test('on a composed photo, both small-face strategies find 40-60 px faces the single pass misses (real SSD); proposals in two SSD passes', { skip: noLfw }, async () => {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'facet-small-faces-'));
  const single = new OnnxSsdDetector();
  await single.load();
  const passes = { tiles: new SmallFaceDetector(single, { strategy: 'tiles' }), proposals: new SmallFaceDetector(single, { strategy: 'proposals' }) };
  try {
    const [photo] = (await composeGroupPhotos({
      lfwDir: LFW, seed: 7, photos: 1, width: 2400, height: 1800, facesPerPhoto: [6, 6], strata: [[44, 60]], cacheDir, detector: single,
    })).photos;
    assert.ok(photo && photo.faces.length >= 5, 'the composed photo holds its faces');
    const decoded = await decodeImage(photo.file, { maxSide: Infinity });
    if (decoded instanceof Error) throw decoded;
    const byWhole = matchFaces(photo.faces, (await single.detect(decoded.image)).map((f) => f.box));
    assert.ok(byWhole.size <= 1, `the single pass should miss faces of 44-60 px in a 2400 px photo, found ${byWhole.size}`);
    for (const [strategy, small] of Object.entries(passes)) {
      await small.load();
      const bySmall = matchFaces(photo.faces, (await small.detect(decoded.image)).map((f) => f.box));
      assert.ok(bySmall.size >= photo.faces.length - 1, `${strategy}: found ${bySmall.size} of ${photo.faces.length}`);
      assert.equal(small.stats.tiledImages, 1);
    }
    const { stats } = passes.proposals;
    assert.deepEqual([stats.proposalPasses, stats.mosaics, stats.passes], [1, 1, 2], 'proposals: the whole image, BlazeFace, one mosaic');
    assert.ok(passes.tiles.stats.passes > 10, `tiles: ${passes.tiles.stats.passes} SSD passes`);
  } finally {
    passes.proposals.dispose();
    passes.tiles.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
