/**
 * Training a FaceNet network from scratch on a folder-per-identity dataset (Schroff et al. 2015, §3):
 * each step draws K identities × M faces, embeds them, mines one semi-hard negative per anchor-positive
 * pair inside the batch (mining.ts) and takes an optimizer step on the triplet loss (AdaGrad at 0.05 by
 * default, as in the paper). Batches are drawn from a generator seeded by (seed, step), so a run resumed
 * from a checkpoint sees exactly the batches the uninterrupted run would have.
 *
 *   await initBackend();                            // the caller picks the tfjs backend first
 *   const report = await train({ arch: 'NNS2', dataDir: 'faces/', steps: 2000, checkpointDir: 'ck/' });
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { FaceNetModel, type NetSpec, netSpec } from '../../native-models/facenet/index.ts';
import { activeBackend } from '../embed/backend.ts';
import { type CheckpointState, CHECKPOINT_FORMAT, findCheckpoint, restoreCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { LearnInputError } from '../learn/errors.ts';
import { type ImageDataset, ImageLoader, readImageDataset, readPeopleFile } from './imageDataset.ts';
import { type MiningResult, buildBatch, selectTriplets } from '../learn/mining.ts';
import { DEFAULT_LEARNING_RATES, type OptimizerName, applyInOrder, createOptimizer, parseOptimizerName } from './optimizers.ts';
import { createRng } from '../core/random.ts';
import { type TrainedModelCard, saveTrainedModel } from './trainedModel.ts';
import { DEFAULT_MARGIN, tripletHinge } from '../learn/tripletLoss.ts';
import { tripletLossTensor } from './tripletLossTf.ts';
import { type ValidationPairs, type ValidationResult, readValidationPairs, validate } from './validation.ts';

export interface TrainConfig {
  /** A FaceNet name (NN1 … NNS2) or a spec of one's own (tests use a tiny one). */
  arch: string | NetSpec;
  dataDir: string;
  /** A people file (LFW's peopleDevTrain.txt format): train only on these identity folders. */
  peopleFile?: string;
  /** Total steps to reach (a resumed run continues up to this). Default 1000. */
  steps?: number;
  /** K identities per batch. Default 8. */
  identitiesPerBatch?: number;
  /** M faces per identity. Default 4. */
  facesPerIdentity?: number;
  optimizer?: OptimizerName;
  /** Default 0.05 (AdaGrad, SGD) or 0.001 (Adam). */
  learningRate?: number;
  margin?: number;
  /** Steps at the start during which pairs without a semi-hard negative are skipped, not given a hard one. Default 100. */
  warmupSteps?: number;
  /** Seeds the weights and the batches. Default 1. */
  seed?: number;
  cropFraction?: number;
  /** Decoded images kept in memory. Default 2048. */
  cacheSize?: number;
  checkpointDir?: string;
  /** Default 100 (and always at the end). */
  checkpointEvery?: number;
  resume?: boolean;
  /** A pairs file in LFW's format; see validation.ts for where its images are looked up. */
  valPairs?: string;
  /** Default 100 (and always at the end). */
  valEvery?: number;
  /** Matched and mismatched pairs kept per fold of the pairs file. Default all. */
  valLimit?: number;
  /** Where the final model goes. Default CHECKPOINT_DIR/model, or ./facenet-<arch>-model without checkpoints. */
  outDir?: string;
  onProgress?: (event: TrainProgress) => void;
  /** Stops after the current step; the checkpoint is still written. */
  signal?: AbortSignal;
}

export interface TrainProgress {
  readonly stage: 'train';
  /** Steps completed. */
  readonly step: number;
  readonly steps: number;
  /** Σ hinge over the mined triplets / anchor-positive pairs: satisfied pairs count as zero. */
  readonly loss: number;
  /** Anchor-positive pairs whose triplet has a positive hinge, over all pairs in the batch. */
  readonly activeFraction: number;
  readonly pairs: number;
  readonly semiHard: number;
  readonly fallback: number;
  readonly secondsPerStep: number;
  /** Present on the steps that ran validation. */
  readonly validation?: ValidationResult;
  /** Present on the steps that wrote a checkpoint. */
  readonly checkpoint?: string;
}

export interface TrainReport {
  readonly status: 'done' | 'stopped';
  readonly arch: string;
  readonly startStep: number;
  readonly step: number;
  readonly resumedFrom: string | null;
  readonly finalLoss: number | null;
  readonly validation: (ValidationResult & { readonly step: number; readonly file: string }) | null;
  readonly checkpoint: string | null;
  /** The saved model folder; null when stopped early. */
  readonly modelDir: string | null;
  readonly card: TrainedModelCard | null;
  readonly data: { readonly identities: number; readonly images: number; readonly decoded: number };
  readonly seconds: number;
  readonly secondsPerStep: number;
}

type ResolvedConfig = Required<Omit<TrainConfig, 'arch' | 'checkpointDir' | 'valPairs' | 'outDir' | 'onProgress' | 'signal' | 'learningRate' | 'peopleFile'>> &
  Pick<TrainConfig, 'checkpointDir' | 'valPairs' | 'onProgress' | 'signal' | 'peopleFile'> & { spec: NetSpec; learningRate: number; outDir: string };

/** A checked copy of the config with defaults filled in. */
export function resolveTrainConfig(config: TrainConfig): ResolvedConfig {
  const spec = typeof config.arch === 'string' ? netSpec(config.arch) : config.arch;
  const optimizer = parseOptimizerName(config.optimizer ?? 'adagrad');
  const resolved: ResolvedConfig = {
    spec,
    dataDir: path.resolve(config.dataDir),
    peopleFile: config.peopleFile && path.resolve(config.peopleFile),
    steps: config.steps ?? 1000,
    identitiesPerBatch: config.identitiesPerBatch ?? 8,
    facesPerIdentity: config.facesPerIdentity ?? 4,
    optimizer,
    learningRate: config.learningRate ?? DEFAULT_LEARNING_RATES[optimizer],
    margin: config.margin ?? DEFAULT_MARGIN,
    warmupSteps: config.warmupSteps ?? 100,
    seed: config.seed ?? 1,
    cropFraction: config.cropFraction ?? 1,
    cacheSize: config.cacheSize ?? 2048,
    checkpointDir: config.checkpointDir && path.resolve(config.checkpointDir),
    checkpointEvery: config.checkpointEvery ?? 100,
    resume: config.resume ?? false,
    valPairs: config.valPairs,
    valEvery: config.valEvery ?? 100,
    valLimit: config.valLimit ?? Infinity,
    outDir: path.resolve(config.outDir ?? (config.checkpointDir ? path.join(config.checkpointDir, 'model') : `facenet-${spec.name.toLowerCase()}-model`)),
    onProgress: config.onProgress,
    signal: config.signal,
  };
  for (const field of ['steps', 'checkpointEvery', 'valEvery'] as const) {
    if (!(Number.isInteger(resolved[field]) && resolved[field] >= 1)) throw new LearnInputError(`${field} must be an integer ≥ 1, got ${resolved[field]}`, field);
  }
  for (const field of ['warmupSteps', 'seed'] as const) {
    if (!(Number.isInteger(resolved[field]) && resolved[field] >= 0)) throw new LearnInputError(`${field} must be an integer ≥ 0, got ${resolved[field]}`, field);
  }
  if (!(resolved.margin > 0)) throw new LearnInputError(`margin must be > 0, got ${resolved.margin}`, 'margin');
  if (resolved.resume && !resolved.checkpointDir) throw new LearnInputError('resuming needs a checkpoint folder', 'resume');
  return resolved;
}

/** The batch generator of one step: a function of (seed, step) only. */
export function stepRng(seed: number, step: number) {
  return createRng((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b)) >>> 0);
}

export async function train(config: TrainConfig): Promise<TrainReport> {
  const started = performance.now();
  const options = resolveTrainConfig(config);
  const dataset = readImageDataset(options.dataDir, options.peopleFile ? readPeopleFile(options.peopleFile) : undefined);
  const [height, width] = options.spec.input;
  const loader = new ImageLoader({ size: [height, width], cropFraction: options.cropFraction, cacheSize: options.cacheSize });
  const validation = options.valPairs ? readValidationPairs(options.valPairs, dataset.root, options.valLimit) : undefined;
  const existing = options.checkpointDir ? findCheckpoint(options.checkpointDir) : undefined;
  if (existing && !options.resume) {
    throw new LearnInputError(`${options.checkpointDir} already holds a checkpoint at step ${existing.state.step}: resume it (--resume) or choose another folder`, 'checkpoint');
  }
  if (existing) checkResumable(existing.state, options);

  const net = FaceNetModel.create(options.spec, { seed: options.seed });
  const optimizer = createOptimizer(options.optimizer, options.learningRate);
  try {
    if (existing) await restoreCheckpoint(existing.folder, net, optimizer);
    const run = new TrainingRun(net, optimizer, dataset, loader, validation, options, existing?.state);
    return await run.execute(existing?.state.step ?? 0, existing?.folder ?? null, started);
  } finally {
    optimizer.dispose();
    net.dispose();
  }
}

function checkResumable(state: CheckpointState, options: ResolvedConfig): void {
  if (JSON.stringify(state.spec) !== JSON.stringify(options.spec)) {
    throw new LearnInputError(`the checkpoint is of ${state.spec.name}, not ${options.spec.name}`, 'arch');
  }
  if (state.optimizer.name !== options.optimizer) {
    throw new LearnInputError(`the checkpoint was trained with ${state.optimizer.name}, not ${options.optimizer}: its state would not carry over`, 'optimizer');
  }
}

/** One training run's loop and bookkeeping. */
class TrainingRun {
  private lastLoss: number | null;
  private lastValidation: (ValidationResult & { step: number; file: string }) | null;
  private lastCheckpoint: string | null = null;

  constructor(
    private readonly net: FaceNetModel,
    private readonly optimizer: tf.Optimizer,
    private readonly dataset: ImageDataset,
    private readonly loader: ImageLoader,
    private readonly validation: ValidationPairs | undefined,
    private readonly options: ResolvedConfig,
    resumed?: CheckpointState,
  ) {
    this.lastLoss = resumed?.lastLoss ?? null;
    this.lastValidation = resumed?.validation ?? null;
  }

  async execute(startStep: number, resumedFrom: string | null, started: number): Promise<TrainReport> {
    const { steps, checkpointEvery, valEvery, signal } = this.options;
    let step = startStep;
    if (step === 0 && this.validation) {
      // The untrained network's accuracy: where the curve starts (no update yet, so no loss either).
      const validation = await this.validate(0);
      this.options.onProgress?.({ stage: 'train', step, steps, loss: 0, activeFraction: 0, pairs: 0, semiHard: 0, fallback: 0, secondsPerStep: 0, validation });
    }
    const loopStarted = performance.now();
    while (step < steps && !signal?.aborted) {
      const stepStarted = performance.now();
      const result = await this.step(step);
      const secondsPerStep = (performance.now() - stepStarted) / 1000; // the update alone, not validation or saving
      step++;
      this.lastLoss = result.loss;
      const last = step === steps;
      const validation = this.validation && (step % valEvery === 0 || last) ? await this.validate(step) : undefined;
      const checkpoint = this.options.checkpointDir && (step % checkpointEvery === 0 || last) ? await this.checkpoint(step) : undefined;
      this.options.onProgress?.({
        stage: 'train', step, steps, ...result, secondsPerStep, validation, checkpoint,
      });
    }
    const stopped = step < steps;
    if (stopped && this.options.checkpointDir && step > startStep) await this.checkpoint(step);
    const card = stopped ? null : await saveTrainedModel(this.options.outDir, this.net, this.facts(step, started));
    return {
      status: stopped ? 'stopped' : 'done',
      arch: this.net.name,
      startStep,
      step,
      resumedFrom,
      finalLoss: this.lastLoss,
      validation: this.lastValidation,
      checkpoint: this.lastCheckpoint,
      modelDir: card ? this.options.outDir : null,
      card,
      data: { identities: this.dataset.identities.length, images: this.dataset.images, decoded: this.loader.decoded },
      seconds: (performance.now() - started) / 1000,
      secondsPerStep: step > startStep ? (performance.now() - loopStarted) / 1000 / (step - startStep) : 0,
    };
  }

  /** Draws the step's batch, mines triplets on its embeddings and applies one optimizer update. */
  private async step(step: number): Promise<Omit<TrainProgress, 'stage' | 'step' | 'steps' | 'secondsPerStep'>> {
    const { identitiesPerBatch, facesPerIdentity, margin, warmupSteps } = this.options;
    const rng = stepRng(this.options.seed, step);
    const batch = buildBatch(this.dataset.identities, identitiesPerBatch, facesPerIdentity, rng);
    const pixels = await this.loader.loadBatch(batch.faces);
    const [height, width] = this.options.spec.input;
    const dim = this.net.embeddingSize;
    let mined: MiningResult | undefined;
    let hingeSum = 0;
    let active = 0;
    const images = tf.tensor4d(pixels, [batch.faces.length, height, width, 3]);
    try {
      // One forward pass serves both the mining (values read back) and the loss (the tape).
      const { value, grads } = tf.variableGrads(() => {
        const embeddings = this.net.embed(images); // [K·M, dim]
        const values = embeddings.dataSync() as Float32Array;
        mined = selectTriplets(values, dim, batch.labels, rng, { margin, warmupSteps, step });
        for (const triplet of mined.triplets) {
          const hinge = tripletHinge(values, dim, triplet, margin);
          if (hinge > 0) {
            hingeSum += hinge;
            active++;
          }
        }
        return tripletLossTensor(embeddings, mined.triplets, { margin, reduction: 'mean' });
      }, this.net.variables);
      if (mined!.triplets.length > 0) applyInOrder(this.optimizer, this.net.variables, grads);
      tf.dispose([value, grads]);
    } finally {
      images.dispose();
    }
    const { pairs, semiHard, fallback } = mined!;
    return { loss: pairs > 0 ? hingeSum / pairs : 0, activeFraction: pairs > 0 ? active / pairs : 0, pairs, semiHard, fallback };
  }

  private async validate(step: number): Promise<ValidationResult> {
    const result = await validate(this.net, this.loader, this.validation!);
    this.lastValidation = { ...result, step, file: this.validation!.file };
    return result;
  }

  private async checkpoint(step: number): Promise<string> {
    const { spec, optimizer, learningRate, identitiesPerBatch, facesPerIdentity, margin, seed, dataDir } = this.options;
    const state: CheckpointState = {
      format: CHECKPOINT_FORMAT,
      version: 1,
      step,
      spec,
      optimizer: { name: optimizer, learningRate },
      batch: { identities: identitiesPerBatch, facesPerIdentity },
      margin,
      seed,
      dataDir,
      lastLoss: this.lastLoss,
      validation: this.lastValidation,
      savedAt: new Date().toISOString(),
    };
    this.lastCheckpoint = await saveCheckpoint(this.options.checkpointDir!, this.net, this.optimizer, state);
    return this.lastCheckpoint;
  }

  private facts(step: number, started: number) {
    const o = this.options;
    return {
      arch: o.spec.name,
      steps: step,
      optimizer: o.optimizer,
      learningRate: o.learningRate,
      margin: o.margin,
      batch: { identities: o.identitiesPerBatch, facesPerIdentity: o.facesPerIdentity },
      cropFraction: o.cropFraction,
      seed: o.seed,
      data: { dir: o.dataDir, ...(o.peopleFile ? { people: o.peopleFile } : {}), identities: this.dataset.identities.length, images: this.dataset.images },
      finalLoss: this.lastLoss,
      validation: this.lastValidation,
      seconds: (performance.now() - started) / 1000,
      backend: activeBackend() ?? tf.getBackend(),
    };
  }
}
