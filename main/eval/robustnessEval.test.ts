/**
 * Degraded copies and the robustness evaluation on a few real LFW pairs: faces scaled to the asked
 * width, lower JPEG quality costing bytes, the report's shape, the chart, and reruns served from the
 * cache. Skipped where LFW is absent.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { degradeImage, faceWidth } from './degrade.ts';
import { evaluateRobustness, robustnessChartSvg, selectPairs } from './robustnessEval.ts';
import { readPairs } from '../training/lfwPairs.ts';
import { LFW_DIR, LFW_SKIP } from '../../test/integration/lfwData.ts';

const LFW = LFW_DIR;
const skip = LFW_SKIP;
const IMAGE = path.join(LFW, 'images_deepfunneled/Aaron_Peirsol/Aaron_Peirsol_0001.jpg');
/** Five landmarks of that image (SSD + landmark net). */
const FIVE = [{ x: 103.4, y: 112.0 }, { x: 144.5, y: 111.3 }, { x: 124.8, y: 136.2 }, { x: 107.9, y: 157.5 }, { x: 142.0, y: 157.2 }];

describe('robustness evaluation', { skip }, () => {
  let root = '';
  before(() => { root = mkdtempSync(path.join(os.tmpdir(), 'facet-robustness-')); });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('scales the photo so the face box is as wide as asked, and compresses as asked', async () => {
    const small = path.join(root, 'small.jpg');
    const scale = await degradeImage(IMAGE, small, FIVE, { facePixels: 40, quality: 20 });
    const { width } = await sharp(small).metadata();
    assert.equal(width, Math.round(250 * scale));
    const scaledFace = faceWidth(FIVE.map((p) => ({ x: p.x * scale, y: p.y * scale })));
    assert.ok(Math.abs(scaledFace - 40) < 0.5, `face ${scaledFace} px`);
    const good = path.join(root, 'good.jpg');
    await degradeImage(IMAGE, good, FIVE, { facePixels: 40, quality: 90 });
    assert.ok(statSync(small).size < statSync(good).size * 0.8, 'quality 20 takes fewer bytes than 90');
  });

  it('keeps the first N matched and mismatched pairs of the first K folds', () => {
    const pairs = selectPairs(readPairs(LFW), 2, 3);
    assert.equal(pairs.length, 12);
    assert.deepEqual([...new Set(pairs.map((p) => p.fold))], [0, 1]);
    assert.equal(pairs.filter((p) => p.same).length, 6);
  });

  it('reports accuracy and VAL per condition, draws the chart, and reruns from the cache', async () => {
    const options = { dataDir: LFW, cacheDir: path.join(root, 'cache'), folds: 1, limit: 6, qualities: [10, 90], sizes: [40], workers: 1, chartFile: path.join(root, 'chart.png') };
    const first = await evaluateRobustness(options);
    assert.equal(first.pairs, 12);
    assert.deepEqual(first.jpeg.map((r) => r.quality), [10, 90]);
    assert.deepEqual(first.size.map((r) => r.facePixels), [40]);
    for (const row of [first.clean, ...first.jpeg, ...first.size]) assert.ok(row.accuracy >= 0.5 && row.accuracy <= 1, JSON.stringify(row));
    assert.ok(first.clean.accuracy >= 0.9, `clean accuracy on 12 easy pairs ${first.clean.accuracy}`);
    assert.deepEqual([...readFileSync(first.chart!).subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
    assert.match(robustnessChartSvg(first), /JPEG quality/);

    const again = await evaluateRobustness(options);
    assert.deepEqual(again.jpeg, first.jpeg, 'the cached degraded embeddings give the same figures');
    assert.ok(again.seconds < first.seconds, `rerun ${again.seconds} s, first ${first.seconds} s`);
  });
});
