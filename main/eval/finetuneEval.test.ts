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

const LFW = '/work/shared/data/lfw';
const skip = !existsSync(path.join(LFW, 'pairs.txt')) && 'LFW not found at /work/shared/data/lfw';

describe('finetune evaluation', { skip }, () => {
  let root = '';
  before(() => { root = mkdtempSync(path.join(os.tmpdir(), 'facet-finetune-eval-')); });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('names 5 faces of each person with 10 or more images and makes everyone else a stranger', () => {
    const split = splitLibrary(LFW);
    const count = (role: string) => split.role.filter((r) => r === role).length;
    assert.equal(split.images.length, 13233);
    assert.equal(split.namedPeople, 158);
    assert.equal(count('named'), 158 * 5);
    assert.equal(count('heldOut') + count('named'), 4324); // LFW's 158 people with ten or more images hold 4,324
    const other = splitLibrary(LFW, { seed: 2 });
    assert.notDeepEqual(other.images, split.images, 'which faces are named depends on the seed');
  });

  it('reports BCubed F and accuracy before and after, clean and degraded, and LFW accuracy', async () => {
    const report = await evaluateFinetune({ dataDir: LFW, cacheDir: root, people: 3, workers: 1, training: { steps: 40 } });
    assert.equal(report.namedPeople, 3);
    assert.equal(report.namedFaces, 15);
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
    assert.equal(report.adapter.trainedOn, 30); // every named face, clean and degraded
    assert.ok(report.lfwPairs > 0 && report.lfwAccuracyBefore > 0.5);
  });
});
