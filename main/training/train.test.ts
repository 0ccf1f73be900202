/**
 * End to end on a tiny network and a synthetic dataset of coloured shapes (a few seconds on a CPU):
 * training lowers the triplet loss, a run resumed from a checkpoint ends on exactly the weights of an
 * uninterrupted one, and no tensor outlives a run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { FaceNetModel, NetSpec } from '../../native-models/facenet/index.ts';
import { conv, fc, inception, l2Normalize, maxPool } from '../../native-models/facenet/spec.ts';
import { initBackend } from '../embed/backend.ts';
import { findCheckpoint } from './checkpoint.ts';
import { LearnInputError } from '../learn/errors.ts';
import { ImageLoader, readImageDataset } from './imageDataset.ts';
import { blockLabels } from '../learn/testData.ts';
import { type SyntheticDataset, writeSyntheticDataset } from './testImages.ts';
import { loadTrainedModel } from './trainedModel.ts';
import { type TrainConfig, type TrainProgress, train } from './train.ts';
import { tripletLoss } from '../learn/tripletLoss.ts';

/** A FaceNet-shaped network small enough to train in seconds: 32×32 input, one Inception module, 16-D output. */
const TINY: NetSpec = {
  name: 'TINY',
  title: 'test network',
  input: [32, 32, 3],
  layers: [
    conv('conv1', 8, 3, 2),
    maxPool('pool1'),
    inception('inception_2', { conv1x1: 8, conv3x3: { reduce: 8, filters: 8 }, pool: { type: 'max', proj: 8 } }),
    fc('fc1', 32),
    fc('fc', 16, true),
    l2Normalize(),
  ],
  paper: { source: 'none: a test network' },
  provenance: 'test',
};

/** Mean hinge over every (anchor, positive, negative) triplet of the dataset: what training should lower. */
async function datasetLoss(net: FaceNetModel, data: SyntheticDataset): Promise<number> {
  const dataset = readImageDataset(data.dir);
  const files = dataset.identities.flatMap((identity) => identity.faces);
  const perIdentity = dataset.identities[0]!.faces.length;
  const loader = new ImageLoader({ size: [32, 32] });
  const pixels = await loader.loadBatch(files);
  const embeddings = tf.tidy(() => net.embed(tf.tensor4d(pixels, [files.length, 32, 32, 3])).dataSync() as Float32Array);
  const labels = blockLabels(dataset.identities.length, perIdentity);
  const triplets = [];
  for (let a = 0; a < files.length; a++) {
    for (let p = 0; p < files.length; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      for (let n = 0; n < files.length; n++) if (labels[n] !== labels[a]) triplets.push({ anchor: a, positive: p, negative: n });
    }
  }
  return tripletLoss(embeddings, 16, triplets, { reduction: 'mean' });
}

function modelWeights(dir: string): Map<string, Float32Array> {
  const { net } = loadTrainedModel(dir);
  try {
    return new Map(net.weights.map(({ name, variable }) => [name, variable.dataSync() as Float32Array]));
  } finally {
    net.dispose();
  }
}

describe('train', () => {
  let root = '';
  let data: SyntheticDataset;
  let tensorsBefore = 0;
  const base = (): TrainConfig => ({ arch: TINY, dataDir: data.dir, identitiesPerBatch: 4, facesPerIdentity: 3, warmupSteps: 5, seed: 3 });

  before(async () => {
    await initBackend();
    root = mkdtempSync(path.join(os.tmpdir(), 'facet-train-'));
    data = await writeSyntheticDataset(path.join(root, 'data'), 6, 6, 7, 40);
    tensorsBefore = tf.memory().numTensors;
  });

  after(() => {
    rmSync(root, { recursive: true, force: true });
    assert.equal(tf.memory().numTensors, tensorsBefore, 'every tensor released');
  });

  it('lowers the triplet loss, reports progress and validation, and saves a model that loads back', async () => {
    const events: TrainProgress[] = [];
    const outDir = path.join(root, 'model-a');
    const initialDir = path.join(root, 'model-0');
    await train({ ...base(), steps: 1, learningRate: 1e-9, outDir: initialDir }); // ≈ the initial weights
    const report = await train({ ...base(), steps: 40, valPairs: data.pairsFile, valEvery: 20, outDir, onProgress: (e) => events.push(e) });
    assert.equal(report.status, 'done');
    assert.equal(report.step, 40);
    assert.equal(events.length, 41, 'step 0 (the untrained network validated) and one event per step');
    assert.ok(events.slice(1).every((e) => e.pairs === 4 * 3 * 2 && e.activeFraction >= 0 && e.activeFraction <= 1));
    assert.deepEqual(events.filter((e) => e.validation).map((e) => e.step), [0, 20, 40]);
    assert.equal(events[0]!.pairs, 0, 'no update before the first validation');
    assert.equal(report.validation!.pairs, 12);

    const before = loadTrainedModel(initialDir);
    const trained = loadTrainedModel(outDir);
    try {
      const lossBefore = await datasetLoss(before.net, data);
      const lossAfter = await datasetLoss(trained.net, data);
      assert.ok(lossAfter < lossBefore * 0.7, `dataset triplet loss ${lossBefore.toFixed(4)} → ${lossAfter.toFixed(4)}`);
      assert.equal(trained.card.training.steps, 40);
      assert.equal(trained.card.outputSize, 16);
      assert.deepEqual([trained.card.input.height, trained.card.input.width], [32, 32]);
      assert.equal(trained.card.training.validation!.accuracy, report.validation!.accuracy);
    } finally {
      before.net.dispose();
      trained.net.dispose();
    }
  });

  it('resumes from a checkpoint at the saved step and ends on the weights of an uninterrupted run', async () => {
    const straight = await train({ ...base(), steps: 6, outDir: path.join(root, 'straight') });
    const checkpointDir = path.join(root, 'ck');
    const first = await train({ ...base(), steps: 3, checkpointDir, checkpointEvery: 2, outDir: path.join(root, 'first') });
    assert.equal(findCheckpoint(checkpointDir)!.state.step, 3);
    assert.equal(findCheckpoint(checkpointDir)!.state.optimizer.name, 'adagrad');
    const resumed = await train({ ...base(), steps: 6, checkpointDir, resume: true, outDir: path.join(root, 'resumed') });
    assert.equal(first.step, 3);
    assert.equal(resumed.startStep, 3);
    assert.equal(resumed.step, 6);
    assert.match(resumed.resumedFrom!, /step-000003$/);
    const a = modelWeights(straight.modelDir!);
    const b = modelWeights(resumed.modelDir!);
    assert.deepEqual([...a.keys()], [...b.keys()]);
    for (const [name, values] of a) assert.deepEqual(b.get(name), values, name);
    // The checkpoint's weight file is a plain tfjs weights manifest.
    const manifest = JSON.parse(readFileSync(path.join(checkpointDir, 'step-000006', 'weights.json'), 'utf8'));
    assert.deepEqual(manifest[0].paths, ['weights.bin']);
    assert.equal(manifest[0].weights[0].name, 'conv1/kernel');
  });

  it('refuses to overwrite a checkpoint, or to resume it with another optimizer, naming the field', async () => {
    const checkpointDir = path.join(root, 'ck');
    await assert.rejects(train({ ...base(), steps: 8, checkpointDir }), (e: unknown) => e instanceof LearnInputError && e.field === 'checkpoint');
    await assert.rejects(
      train({ ...base(), steps: 8, checkpointDir, resume: true, optimizer: 'adam' }),
      (e: unknown) => e instanceof LearnInputError && e.field === 'optimizer',
    );
  });

  it('stops on request after the current step and leaves a checkpoint to resume', async () => {
    const controller = new AbortController();
    const checkpointDir = path.join(root, 'ck-stop');
    const report = await train({ ...base(), steps: 50, checkpointDir, signal: controller.signal, onProgress: (e) => e.step === 2 && controller.abort() });
    assert.equal(report.status, 'stopped');
    assert.equal(report.step, 2);
    assert.equal(report.modelDir, null);
    assert.equal(findCheckpoint(checkpointDir)!.state.step, 2);
  });
});
