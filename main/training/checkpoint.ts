/**
 * Training checkpoints. Layout of a checkpoint folder:
 *
 *   DIR/latest.json                 { "step": 200, "folder": "step-000200" }, written last
 *   DIR/step-000200/weights.json    tfjs weights manifest of the network ("conv1/kernel", ...)
 *   DIR/step-000200/weights.bin
 *   DIR/step-000200/optimizer.json  the optimizer's slots under the same names ("conv1/kernel/accumulator", "iter")
 *   DIR/step-000200/optimizer.bin
 *   DIR/step-000200/state.json      CheckpointState: step, optimizer name and rate, spec, batch shape, seed
 *
 * Each step gets its own folder and latest.json moves only once the folder is complete, so an
 * interrupted save leaves the previous checkpoint usable. The two newest step folders are kept.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { FaceNetModel, NetSpec } from '../../native-models/facenet/index.ts';
import { LearnInputError } from '../learn/errors.ts';
import { type OptimizerName, optimizerState, restoreOptimizerState } from './optimizers.ts';
import type { ValidationResult } from './validation.ts';
import { type NamedTensor, readWeights, writeAtomically, writeWeights } from './weightsFile.ts';

export const CHECKPOINT_FORMAT = 'facet-facenet-checkpoint';

export interface CheckpointState {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: 1;
  /** Steps completed. */
  readonly step: number;
  readonly spec: NetSpec;
  readonly optimizer: { readonly name: OptimizerName; readonly learningRate: number };
  readonly batch: { readonly identities: number; readonly facesPerIdentity: number };
  readonly margin: number;
  readonly seed: number;
  readonly dataDir: string;
  readonly lastLoss: number | null;
  /** The latest validation run, if any. */
  readonly validation: (ValidationResult & { readonly step: number; readonly file: string }) | null;
  readonly savedAt: string;
}

/** Weight names of the network → its variables. */
export function namedWeights(net: FaceNetModel): Map<string, tf.Variable> {
  return new Map(net.weights.map(({ name, variable }) => [name, variable]));
}

/** Assigns saved weights to the network, checking that every weight is present with its shape. */
export function assignWeights(net: FaceNetModel, savedList: readonly NamedTensor[], source: string): void {
  const saved = Object.fromEntries(savedList.map(({ name, tensor }) => [name, tensor]));
  for (const [name, variable] of namedWeights(net)) {
    const tensor = saved[name];
    if (!tensor) throw new LearnInputError(`${source} has no weight "${name}" for ${net.name}`, source);
    if (tensor.shape.join() !== variable.shape.join()) {
      throw new LearnInputError(`${source}: "${name}" is [${tensor.shape}], ${net.name} needs [${variable.shape}]`, source);
    }
  }
  for (const [name, variable] of namedWeights(net)) variable.assign(saved[name]!);
}

export async function saveCheckpoint(dir: string, net: FaceNetModel, optimizer: tf.Optimizer, state: CheckpointState): Promise<string> {
  const folder = `step-${String(state.step).padStart(6, '0')}`;
  const full = path.join(dir, folder);
  mkdirSync(full, { recursive: true });
  await writeWeights(full, 'weights', net.weights.map(({ name, variable }) => ({ name, tensor: variable })));
  const stableNames = new Map(net.weights.map(({ name, variable }) => [variable.name, name]));
  const slots = await optimizerState(optimizer, stableNames);
  try {
    await writeWeights(full, 'optimizer', slots);
  } finally {
    // getWeights hands back the iteration count as a fresh scalar; the slots themselves are the optimizer's.
    for (const { name, tensor } of slots) if (name === 'iter') tensor.dispose();
  }
  writeAtomically(path.join(full, 'state.json'), JSON.stringify(state, null, 1));
  writeAtomically(path.join(dir, 'latest.json'), JSON.stringify({ step: state.step, folder }));
  pruneOld(dir, folder);
  return full;
}

/** The newest complete checkpoint's state and folder, or undefined when DIR has none. */
export function findCheckpoint(dir: string): { state: CheckpointState; folder: string } | undefined {
  const latestFile = path.join(dir, 'latest.json');
  if (!existsSync(latestFile)) return undefined;
  const latest = JSON.parse(readFileSync(latestFile, 'utf8')) as { folder: string };
  const folder = path.join(dir, latest.folder);
  const state = JSON.parse(readFileSync(path.join(folder, 'state.json'), 'utf8')) as CheckpointState;
  if (state.format !== CHECKPOINT_FORMAT || state.version !== 1) {
    throw new LearnInputError(`${folder}/state.json is not a ${CHECKPOINT_FORMAT} version 1 file`, folder);
  }
  return { state, folder };
}

/** Loads the checkpoint's weights into `net` and its slots into `optimizer` (created with the same name and rate). */
export async function restoreCheckpoint(folder: string, net: FaceNetModel, optimizer: tf.Optimizer): Promise<void> {
  const weights = readWeights(folder, 'weights');
  try {
    assignWeights(net, weights, folder);
  } finally {
    tf.dispose(weights.map(({ tensor }) => tensor));
  }
  const slots = readWeights(folder, 'optimizer');
  try {
    const variableNames = new Map(net.weights.map(({ name, variable }) => [name, variable.name]));
    // Kept in the saved order: the slots are matched to variables by position.
    await restoreOptimizerState(optimizer, slots, variableNames);
  } finally {
    tf.dispose(slots.map(({ tensor }) => tensor));
  }
}

function pruneOld(dir: string, current: string, keep = 2): void {
  const folders = readdirSync(dir).filter((name) => /^step-\d+$/.test(name)).sort();
  for (const name of folders.slice(0, Math.max(0, folders.length - keep))) {
    if (name !== current) rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}
