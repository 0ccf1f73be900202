/**
 * `facet eval finetune` on a few real LFW people: the split follows the protocol, and the report holds
 * before/after figures for clean and degraded faces. Skipped where LFW is absent.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clusterThresholdFor } from '../../native-models/catalog.ts';
import { evaluateFinetune, splitLibrary } from './finetuneEval.ts';
import { LFW_DIR, LFW_SKIP } from '../../test/integration/lfwData.ts';

const LFW = LFW_DIR;
const skip = LFW_SKIP;

describe('finetune evaluation', { skip }, () => {
  let root = '';
  before(() => { root = mkdtempSync(path.join(os.tmpdir(), 'facet-finetune-eval-')); });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('keeps the people of one development split, named people (10+ images) first', () => {
    const dev = splitLibrary(LFW, { split: 'dev' });
    const test = splitLibrary(LFW, { split: 'test' });
    assert.equal(dev.images.length, 9525); // peopleDevTrain.txt
    assert.equal(test.images.length, 3708); // peopleDevTest.txt
    assert.equal(dev.namedPeople, 111);
    assert.equal(test.namedPeople, 47);
    const devImages = new Set(dev.images);
    assert.ok(test.images.every((image) => !devImages.has(image)), 'the splits share no image');
    assert.equal(splitLibrary(LFW, { split: 'all' }).images.length, 13233);
  });

  it('reports BCubed F and accuracy before and after, clean and degraded, and LFW accuracy', async () => {
    const report = await evaluateFinetune({
      dataDir: LFW, cacheDir: root, split: 'all', people: 3, workers: 1, seeds: 2, design: 'baseline', named: { count: 5 }, recipe: { training: { steps: 40 } },
    });
    assert.equal(report.namedPeople, 3);
    assert.equal(report.namedFaces, 15);
    assert.equal(report.seeds.length, 2);
    assert.deepEqual(report.seeds.map((s) => s.seed), [1, 2]);
    assert.ok(report.sd.degradedF >= 0 && report.worst.degradedF <= report.gain.degradedF + 1e-12);
    for (const space of [report.clean, report.degraded]) {
      for (const scores of [space.before, space.after]) {
        assert.ok(scores.bcubedF > 0 && scores.bcubedF <= 1, JSON.stringify(scores));
        assert.ok(scores.accuracy >= 0.5 && scores.accuracy <= 1, JSON.stringify(scores));
      }
    }
    assert.ok(report.clean.before.bcubedF > 0.8, `clean BCubed F of three people ${report.clean.before.bcubedF}`);
    assert.ok(report.degraded.before.accuracy <= report.clean.before.accuracy + 0.05, 'degraded faces are no easier');
    assert.equal(report.degraded.before.clusterThreshold, clusterThresholdFor('dlib-resnet'), 'the app\'s calibrated threshold');
    assert.equal(report.adapter.steps, 40);
    assert.equal(report.adapter.margin, 0.05);
    assert.equal(report.adapter.trainedOn, 30); // every named face, clean and degraded (the baseline holds none back)
    assert.ok(report.lfwPairs > 0 && report.lfwAccuracyBefore > 0.5);
  });
});
