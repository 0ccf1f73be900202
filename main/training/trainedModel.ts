/**
 * A trained FaceNet network as a model folder, described the way native-models/catalog.ts describes
 * the shipped models, so a later `facet scan --model DIR` can load and check it:
 *
 *   DIR/model.json    TrainedModelCard: schema 'facet-trained-embedder/1', id, task 'embedder', format 'tfjs-weights', files with sha256 and
 *                     bytes, input (width, height, range '[0, 1]', RGB), outputSize, the full layer spec
 *                     (plain data: the network is rebuilt from it, whatever its name), and training facts
 *                     (arch, steps, optimizer, data, validation accuracy).
 *   DIR/weights.json  tfjs weights manifest, weights named as in the spec ("inception_3a/3x3/kernel")
 *   DIR/weights.bin
 *
 * Input: the image centre-cropped (cropFraction of each side, then resized to cover) to height × width,
 * RGB, values / 255. Output: an L2-normalised embedding; compare with squared L2 distance.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { FaceNetModel, type NetSpec } from '../../native-models/facenet/index.ts';
import { assignWeights } from './checkpoint.ts';
import { LearnInputError } from '../learn/errors.ts';
import type { OptimizerName } from './optimizers.ts';
import type { ValidationResult } from './validation.ts';
import { readWeights, writeAtomically, writeWeights } from './weightsFile.ts';

/** What model.json declares itself to be; a reader refuses any other schema. */
export const MODEL_CARD_SCHEMA = 'facet-trained-embedder/1';

export interface TrainingFacts {
  readonly arch: string;
  readonly steps: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly margin: number;
  readonly batch: { readonly identities: number; readonly facesPerIdentity: number };
  readonly cropFraction: number;
  readonly seed: number;
  readonly data: { readonly dir: string; readonly people?: string; readonly identities: number; readonly images: number };
  readonly finalLoss: number | null;
  readonly validation: (ValidationResult & { readonly file: string; readonly step: number }) | null;
  readonly seconds: number;
  readonly backend: string;
}

export interface TrainedModelCard {
  readonly schema: typeof MODEL_CARD_SCHEMA;
  readonly id: string;
  readonly task: 'embedder';
  readonly description: string;
  readonly format: 'tfjs-weights';
  readonly files: ReadonlyArray<{ readonly path: string; readonly sha256: string; readonly bytes: number }>;
  readonly input: { readonly width: number; readonly height: number; readonly range: '[0, 1]'; readonly colorOrder: 'RGB'; readonly cropFraction: number };
  readonly outputSize: number;
  readonly params: number;
  readonly spec: NetSpec;
  readonly training: TrainingFacts;
  readonly createdAt: string;
}

export async function saveTrainedModel(dir: string, net: FaceNetModel, training: TrainingFacts): Promise<TrainedModelCard> {
  mkdirSync(dir, { recursive: true });
  const weights = await writeWeights(dir, 'weights', net.weights.map(({ name, variable }) => ({ name, tensor: variable })));
  const manifestBytes = readFileSync(path.join(dir, weights.manifest));
  const [height, width] = net.inputShape as [number, number, number];
  const card: TrainedModelCard = {
    schema: MODEL_CARD_SCHEMA,
    // The weights' hash keeps two runs of one arch and step count apart wherever models are registered by id.
    id: `facenet-${net.name.toLowerCase()}-${training.steps}-${weights.sha256.slice(0, 8)}`,
    task: 'embedder',
    description: `${net.name} (${net.spec.title}) trained by facet train for ${training.steps} steps with the triplet loss`,
    format: 'tfjs-weights',
    files: [
      { path: weights.manifest, sha256: createHash('sha256').update(manifestBytes).digest('hex'), bytes: manifestBytes.length },
      { path: weights.bin, sha256: weights.sha256, bytes: weights.bytes },
    ],
    input: { width, height, range: '[0, 1]', colorOrder: 'RGB', cropFraction: training.cropFraction },
    outputSize: net.embeddingSize,
    params: net.paramCount,
    spec: net.spec,
    training,
    createdAt: new Date().toISOString(),
  };
  writeAtomically(path.join(dir, 'model.json'), JSON.stringify(card, null, 1));
  return card;
}

/** DIR/model.json, refused unless it declares MODEL_CARD_SCHEMA. Files are not checked here. */
export function readTrainedModelCard(dir: string): TrainedModelCard {
  const cardFile = path.join(dir, 'model.json');
  let card: TrainedModelCard;
  try {
    card = JSON.parse(readFileSync(cardFile, 'utf8')) as TrainedModelCard;
  } catch (error) {
    throw new LearnInputError(`cannot read ${cardFile}: ${(error as Error).message}`, cardFile);
  }
  if (card.schema !== MODEL_CARD_SCHEMA) throw new LearnInputError(`${cardFile} is not a ${MODEL_CARD_SCHEMA} model card`, cardFile);
  return card;
}

/** Throws unless every file the card lists matches its sha256. */
export function checkTrainedModelFiles(dir: string, card: TrainedModelCard): void {
  for (const file of card.files) {
    const full = path.join(dir, file.path);
    const sha256 = createHash('sha256').update(readFileSync(full)).digest('hex');
    if (sha256 !== file.sha256) throw new LearnInputError(`${full} does not match its checksum in model.json`, full);
  }
}

/** Rebuilds the network from DIR/model.json and loads its weights, after checking the files' checksums. */
export function loadTrainedModel(dir: string): { net: FaceNetModel; card: TrainedModelCard } {
  const card = readTrainedModelCard(dir);
  checkTrainedModelFiles(dir, card);
  const net = FaceNetModel.create(card.spec);
  const weights = readWeights(dir, 'weights');
  try {
    assignWeights(net, weights, dir);
  } catch (error) {
    net.dispose();
    throw error;
  } finally {
    tf.dispose(weights.map(({ tensor }) => tensor));
  }
  return { net, card };
}
