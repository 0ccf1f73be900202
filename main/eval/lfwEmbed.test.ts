/**
 * The LFW evaluations' embeddings do not depend on the detection cache: a first run (faces found now) and a later
 * one (faces from the cache) give the same vectors, bit for bit, in the int8 embedder too, which moves by a squared
 * distance of about 4e-4 when the landmarks move by 0.005 px (see embedImages).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { embedImages } from './lfwEmbed.ts';

const LFW = path.resolve(process.env.FACET_LFW_DIR ?? path.join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'lfw'));
const IMAGES = path.join(LFW, 'images_deepfunneled');
const noLfw = !existsSync(IMAGES) && `LFW not found at ${LFW} (set FACET_LFW_DIR): tests on real faces are skipped`;

test('a first run and a cached run embed every image alike (int8 embedder)', { skip: noLfw, timeout: 300_000 }, async () => {
  const people = readdirSync(IMAGES).sort().slice(0, 8);
  const images = people.map((person) => path.join(IMAGES, person, readdirSync(path.join(IMAGES, person)).sort()[0]!));
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'facet-lfw-embed-'));
  try {
    const options = { precision: 'int8-embedder' as const, backend: 'onnx', workers: 1, detectionCacheDir: cacheDir };
    const first = await embedImages(images, options);
    const second = await embedImages(images, options);
    assert.equal(first.cachedDetections, 0);
    assert.equal(second.cachedDetections, images.length, 'the second run reads every detection from the cache');
    assert.deepEqual(first.precisions, { detector: 'fp32', embedder: 'int8' });
    for (const image of images) assert.deepEqual(second.embeddings.get(image), first.embeddings.get(image), image);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
