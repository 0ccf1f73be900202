/**
 * `facet train` end to end: NNS2 for a few steps on generated images, a checkpoint, a resumed run,
 * and the model folder's card. Small: about 15 s on two shared cores.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeSyntheticDataset } from '../../training/testImages.ts';

const FACET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/facet.js');

function facet(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [FACET, ...args], { encoding: 'utf8', env: { ...process.env, FACET_BACKEND: 'wasm' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('facet train', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'facet-cli-train-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('trains NNS2, prints progress with loss, active fraction and validation, checkpoints, resumes', async () => {
    const data = await writeSyntheticDataset(path.join(root, 'data'), 4, 4, 2, 64);
    const checkpoint = path.join(root, 'ck');
    const common = ['--arch', 'nns2', '--data', data.dir, '--identities', '2', '--faces-per-identity', '2', '--checkpoint', checkpoint];
    const people = path.join(root, 'people.txt');
    writeFileSync(people, `3\n${data.identities.slice(0, 3).map((id) => `${id}\t4`).join('\n')}\n`);
    const curve = path.join(root, 'curve.json');
    const first = facet('train', ...common, '--steps', '2', '--val-pairs', data.pairsFile, '--val-every', '2', '--people', people, '--curve', curve);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /data: 3 identities, 12 images/);
    assert.match(first.stderr, /step 0 validation accuracy/);
    const points = JSON.parse(readFileSync(curve, 'utf8')).points;
    assert.deepEqual(points.map((p: { step: number }) => p.step), [0, 1, 2]);
    assert.ok(existsSync(path.join(root, 'curve.png')), 'the chart beside the curve');
    assert.match(first.stderr, /step 1\/2 loss \d\.\d{4} active \d+% \(\d+ semi-hard, \d+ fallback of 4 pairs\)/);
    assert.match(first.stderr, /step 2 validation accuracy [\d.]+% on 12 pairs/);
    assert.match(first.stdout, /NNS2: done at step 2/);

    const resumed = facet('train', ...common, '--steps', '3', '--resume', '--json');
    assert.equal(resumed.status, 0, resumed.stderr);
    const report = JSON.parse(resumed.stdout);
    assert.equal(report.startStep, 2);
    assert.equal(report.step, 3);
    assert.equal(report.validation.step, 2, 'the last validation carries over from the checkpoint');
    const card = JSON.parse(readFileSync(path.join(checkpoint, 'model', 'model.json'), 'utf8'));
    assert.equal(card.schema, 'facet-trained-embedder/1');
    assert.deepEqual([card.input.height, card.input.width, card.outputSize], [140, 116, 128]);
    assert.equal(card.training.steps, 3);
    assert.ok(existsSync(path.join(checkpoint, 'model', card.files[1].path)));

    const again = facet('train', ...common, '--steps', '3');
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already holds a checkpoint at step 3: resume it \(--resume\)/);
  });

  it('names what is wrong with its options', () => {
    assert.match(facet('train', '--data', root).stderr, /--arch and --data are both needed/);
    assert.match(facet('train', '--arch', 'NN9', '--data', root).stderr, /unknown network "NN9"/);
    assert.match(facet('train', '--arch', 'NNS2', '--data', root, '--optimizer', 'rmsprop').stderr, /--optimizer must be one of adagrad, adam, sgd, not "rmsprop"/);
  });
});
