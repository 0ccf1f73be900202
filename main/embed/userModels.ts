/**
 * Trained embedders the user has added: `facet scan DIR --model path/to/model` registers a model folder
 * made by `facet train` (model.json + weights) by copying it to <data folder>/models/<id>/, so later
 * scans, the analysis workers and the store all know it by its id (`--model facenet-nns2-1800-1a2b3c4d`).
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type TrainedModelCard, checkTrainedModelFiles, readTrainedModelCard } from '../training/trainedModel.ts';
import { defaultDataDir } from '../library/dataDir.ts';

export interface TrainedModelRef {
  readonly dir: string;
  readonly card: TrainedModelCard;
}

/** <data folder>/models: follows FACET_HOME like the database. */
export function userModelsDir(): string {
  return path.join(defaultDataDir(), 'models');
}

const SAFE_ID = /^[A-Za-z0-9._-]+$/;

/** A model folder (a path holding model.json), or a registered model's id; undefined when it is neither. */
export function findTrainedModel(idOrDir: string, modelsDir = userModelsDir()): TrainedModelRef | undefined {
  if (existsSync(path.join(idOrDir, 'model.json'))) {
    const dir = path.resolve(idOrDir);
    return { dir, card: readTrainedModelCard(dir) };
  }
  if (!SAFE_ID.test(idOrDir) || idOrDir.startsWith('.')) return undefined; // an id never walks out of the folder
  const dir = path.join(modelsDir, idOrDir);
  return existsSync(path.join(dir, 'model.json')) ? { dir, card: readTrainedModelCard(dir) } : undefined;
}

/**
 * Copies a checked model folder into the user's models under its id (once: the id carries the weights'
 * hash, so an existing folder of that id holds the same model). Returns the registered copy.
 */
export function registerTrainedModel(sourceDir: string, modelsDir = userModelsDir()): TrainedModelRef {
  const card = readTrainedModelCard(sourceDir);
  checkTrainedModelFiles(sourceDir, card);
  if (!SAFE_ID.test(card.id)) throw new Error(`model id "${card.id}" in ${path.join(sourceDir, 'model.json')} is not a plain name`);
  const target = path.join(modelsDir, card.id);
  if (!existsSync(path.join(target, 'model.json'))) {
    // Written beside the target, then renamed: a crash never leaves a half-copied model under its id.
    const staging = `${target}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    for (const file of [...card.files.map((f) => f.path), 'model.json']) copyFileSync(path.join(sourceDir, file), path.join(staging, file));
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  }
  return { dir: target, card };
}
