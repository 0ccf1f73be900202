/**
 * A model folder from `facet train` as a scan embedder: registered by id under the data folder, checked
 * by checksum, fed aligned crops laid out like its training crops, and used by `facet scan --model DIR`
 * with its embeddings stored under its own id. Real LFW photos; skipped where LFW is absent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { FaceNetModel, type NetSpec } from '../../native-models/facenet/index.ts';
import { conv, fc, l2Normalize, maxPool } from '../../native-models/facenet/spec.ts';
import { FacePipeline } from '../faces/pipeline.ts';
import { ImageLoader } from '../training/imageDataset.ts';
import { decodeForDetection } from '../library/decode.ts';
import { type TrainedModelCard, saveTrainedModel } from '../training/trainedModel.ts';
import { TrainedFaceNetEmbedder, trainedTemplate } from './trainedEmbedder.ts';
import { findTrainedModel, registerTrainedModel } from './userModels.ts';
import { LFW_DIR, lfwImage } from '../../test/integration/lfwData.ts';

const PHOTOS = [lfwImage('Aaron_Peirsol', 1), lfwImage('Aaron_Peirsol', 2)];
const skip = !PHOTOS.every((photo) => existsSync(photo)) && `LFW's Aaron_Peirsol photos not found under ${LFW_DIR} (set FACET_LFW_DIR)`;
const FACET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/facet.js');

/** A FaceNet-shaped network of NNS2's input shape, small enough to build in milliseconds. */
const TINY: NetSpec = {
  name: 'TINY',
  title: 'test network',
  input: [40, 32, 3],
  layers: [conv('conv1', 4, 3, 2), maxPool('pool1'), fc('fc', 8, true), l2Normalize()],
  paper: { source: 'none: a test network' },
  provenance: 'test',
};

async function saveTiny(dir: string, cropFraction: number): Promise<TrainedModelCard> {
  const net = FaceNetModel.create(TINY, { seed: 3 });
  try {
    return await saveTrainedModel(dir, net, {
      arch: 'TINY', steps: 2, optimizer: 'adagrad', learningRate: 0.05, margin: 0.2, batch: { identities: 2, facesPerIdentity: 2 },
      cropFraction, seed: 3, data: { dir: 'synthetic', identities: 2, images: 4 }, finalLoss: 0.1, validation: null, seconds: 1, backend: 'cpu',
    });
  } finally {
    net.dispose();
  }
}

describe('trained embedder', () => {
  let root = '';
  let modelDir = '';
  let card: TrainedModelCard;
  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'facet-trained-embedder-'));
    modelDir = path.join(root, 'model');
    card = await saveTiny(modelDir, 0.5);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('lays out its template like the centre crops it was trained on', () => {
    const template = trainedTemplate({ width: 116, height: 140, range: '[0, 1]', colorOrder: 'RGB', cropFraction: 0.5 });
    assert.equal(template.size, 140);
    // Eyes of a deep-funneled face sit just above the centre of a half-size centre crop, about a third of it apart.
    const [left, right] = template.points;
    assert.ok(left.x > 0.25 && left.x < 0.4 && right.x > 0.6 && right.x < 0.75, JSON.stringify(template.points));
    assert.ok(Math.abs(left.y - 0.39) < 0.03, `eye height ${left.y}`);
  });

  it('registers a model folder by id and refuses one whose weights changed', () => {
    const models = path.join(root, 'models');
    assert.match(card.id, /^facenet-tiny-2-[0-9a-f]{8}$/);
    const registered = registerTrainedModel(modelDir, models);
    assert.equal(registered.dir, path.join(models, card.id));
    assert.equal(findTrainedModel(card.id, models)?.card.id, card.id);
    assert.equal(findTrainedModel(modelDir, models)?.dir, modelDir);
    assert.equal(findTrainedModel('../model', models), undefined);
    assert.equal(findTrainedModel('no-such-model', models), undefined);

    const tampered = path.join(root, 'tampered');
    registerTrainedModel(modelDir, tampered); // a copy to spoil
    appendFileSync(path.join(tampered, card.id, card.files[1]!.path), Buffer.from([0]));
    assert.throws(() => registerTrainedModel(path.join(tampered, card.id), path.join(root, 'other')), /does not match its checksum/);
  });

  it('embeds aligned LFW faces as its network embeds the training crops', { skip }, async () => {
    const pipeline = await FacePipeline.create({ embedder: modelDir, backend: 'wasm', flip: false });
    const centreCrop = new ImageLoader({ size: [40, 32], cropFraction: 0.5 });
    const wholeImage = new ImageLoader({ size: [40, 32], cropFraction: 1 }); // the face at another scale: what a wrong template would give
    const reference = FaceNetModel.create(TINY, { seed: 3 });
    try {
      assert.ok(pipeline.embedder instanceof TrainedFaceNetEmbedder);
      assert.equal(pipeline.embedder.id, card.id);
      for (const photo of PHOTOS) {
        const [face] = await pipeline.analyse((await decodeForDetection(photo)).image);
        assert.ok(face, `a face in ${photo}`);
        assert.equal(face.embedding.length, 8);
        // The aligned face and the centre crop show the same thing at the same scale: their embeddings
        // are far closer than the aligned face's and the whole image's.
        const embedFile = async (loader: ImageLoader) => {
          const pixels = await loader.loadBatch([photo]);
          return tf.tidy(() => reference.embed(tf.tensor4d(pixels, [1, 40, 32, 3])).dataSync() as Float32Array);
        };
        const distance = (other: Float32Array) => face.embedding.reduce((sum, v, i) => sum + (v - other[i]!) ** 2, 0);
        const same = distance(await embedFile(centreCrop));
        const rescaled = distance(await embedFile(wholeImage));
        assert.ok(same < rescaled / 4, `aligned vs centre crop ${same}, vs whole image ${rescaled}`);
      }
    } finally {
      reference.dispose();
      pipeline.dispose();
    }
  });

  it('facet scan --model DIR stores embeddings under the model id', { skip }, () => {
    const home = path.join(root, 'home');
    const photos = path.join(root, 'photos');
    mkdirSync(photos, { recursive: true });
    for (const photo of PHOTOS) linkSync(photo, path.join(photos, path.basename(photo)));
    const env: NodeJS.ProcessEnv = { ...process.env, FACET_HOME: home, FACET_BACKEND: 'wasm' };
    delete env.FACET_DB; // the database follows FACET_HOME
    const run = (...args: string[]) => spawnSync(process.execPath, [FACET, ...args], { encoding: 'utf8', env });
    const scan = run('scan', photos, '--model', modelDir, '--workers', '0', '--json');
    assert.equal(scan.status, 0, scan.stderr);
    assert.equal(JSON.parse(scan.stdout).faces, 2);
    assert.ok(existsSync(path.join(home, 'models', card.id, 'model.json')), 'registered under the data folder');
    const status = run('status', '--json');
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`"${card.id}"[^}]*2`));
  });
});
