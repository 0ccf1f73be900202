/** `facet train`: trains a FaceNet network with the triplet loss on a folder-per-identity dataset. */
import { parseFaceNetName } from '../../../native-models/facenet/index.ts';
import { initBackend } from '../../embed/backend.ts';
import { parseOptimizerName } from '../../training/optimizers.ts';
import { type TrainProgress, train } from '../../training/train.ts';
import { TrainingCurve } from '../../training/trainingCurve.ts';
import type { Command } from '../main.ts';

function positiveInteger(values: Record<string, unknown>, name: string, min = 1): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!(Number.isInteger(value) && value >= min)) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${String(raw)}"`);
  return value;
}

function positiveNumber(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`--${name} must be a number > 0, got "${String(raw)}"`);
  return value;
}

function progressLine(event: TrainProgress): string[] {
  // Step 0 carries only the untrained network's validation.
  const lines = event.pairs === 0 && event.step === 0 ? [] : [
    `step ${event.step}/${event.steps} loss ${event.loss.toFixed(4)} active ${(100 * event.activeFraction).toFixed(0)}% ` +
      `(${event.semiHard} semi-hard, ${event.fallback} fallback of ${event.pairs} pairs) ${event.secondsPerStep.toFixed(2)} s/step`,
  ];
  if (event.validation) {
    const v = event.validation;
    lines.push(`step ${event.step} validation accuracy ${(100 * v.accuracy).toFixed(1)}% on ${v.pairs} pairs (threshold ${v.threshold.toFixed(3)}, AUC ${v.auc.toFixed(3)})`);
  }
  if (event.checkpoint) lines.push(`step ${event.step} checkpoint ${event.checkpoint}`);
  return lines;
}

export const trainCommand: Command = {
  summary: 'train a FaceNet network (NN1…NNS2) with the triplet loss on DIR/<identity>/<images>',
  usage:
    'facet train --arch ARCH --data DIR [--people FILE] [--steps N] [--identities K] [--faces-per-identity M] [--optimizer adagrad|adam|sgd] [--lr 0.05] ' +
    '[--margin 0.2] [--warmup N] [--seed N] [--crop F] [--checkpoint DIR] [--checkpoint-every N] [--resume] ' +
    '[--val-pairs FILE] [--val-every N] [--val-limit N] [--curve FILE.json] [--out DIR] [--json]',
  options: {
    arch: { type: 'string' },
    data: { type: 'string' },
    people: { type: 'string' },
    steps: { type: 'string' },
    identities: { type: 'string' },
    'faces-per-identity': { type: 'string' },
    optimizer: { type: 'string' },
    lr: { type: 'string' },
    margin: { type: 'string' },
    warmup: { type: 'string' },
    seed: { type: 'string' },
    crop: { type: 'string' },
    checkpoint: { type: 'string' },
    'checkpoint-every': { type: 'string' },
    resume: { type: 'boolean' },
    'val-pairs': { type: 'string' },
    'val-every': { type: 'string' },
    'val-limit': { type: 'string' },
    out: { type: 'string' },
    curve: { type: 'string' },
  },
  async run({ values, json, out, err }) {
    const arch = values.arch as string | undefined;
    const dataDir = values.data as string | undefined;
    if (!arch || !dataDir) throw new Error(`--arch and --data are required\nusage: ${this.usage}`);
    parseFaceNetName(arch); // an unknown name fails before the backend loads
    const crop = positiveNumber(values, 'crop');
    if (crop !== undefined && crop > 1) throw new Error(`--crop must be in (0, 1], got "${String(values.crop)}"`);
    const backend = await initBackend();
    const controller = new AbortController();
    const stop = () => {
      err('stopping after this step (a checkpoint is written when --checkpoint is set)');
      controller.abort();
      process.off('SIGINT', stop);
    };
    process.on('SIGINT', stop);
    // The curve is rewritten after every step, so a long run can be plotted while it trains.
    const curve = values.curve === undefined ? undefined : new TrainingCurve(values.curve as string);
    try {
      err(`training ${parseFaceNetName(arch)} on ${backend}`);
      const report = await train({
        arch,
        dataDir,
        peopleFile: values.people as string | undefined,
        steps: positiveInteger(values, 'steps'),
        identitiesPerBatch: positiveInteger(values, 'identities', 2),
        facesPerIdentity: positiveInteger(values, 'faces-per-identity', 2),
        optimizer: values.optimizer === undefined ? undefined : parseOptimizerName(values.optimizer as string),
        learningRate: positiveNumber(values, 'lr'),
        margin: positiveNumber(values, 'margin'),
        warmupSteps: positiveInteger(values, 'warmup', 0),
        seed: positiveInteger(values, 'seed', 0),
        cropFraction: crop,
        checkpointDir: values.checkpoint as string | undefined,
        checkpointEvery: positiveInteger(values, 'checkpoint-every'),
        resume: values.resume === true,
        valPairs: values['val-pairs'] as string | undefined,
        valEvery: positiveInteger(values, 'val-every'),
        valLimit: positiveInteger(values, 'val-limit'),
        outDir: values.out as string | undefined,
        signal: controller.signal,
        onProgress: (event) => {
          for (const line of progressLine(event)) err(line);
          curve?.add(event);
        },
      });
      await curve?.writeChart(report.arch);
      if (json) {
        out(JSON.stringify(report));
      } else {
        const resumed = report.resumedFrom ? ` (resumed at step ${report.startStep})` : '';
        out(`${report.arch}: ${report.status} at step ${report.step}${resumed}, ${report.secondsPerStep.toFixed(2)} s/step, final loss ${report.finalLoss?.toFixed(4) ?? '—'}`);
        out(`data: ${report.data.identities} identities, ${report.data.images} images (${report.data.decoded} decoded)`);
        if (report.validation) out(`validation: ${(100 * report.validation.accuracy).toFixed(1)}% on ${report.validation.pairs} pairs at step ${report.validation.step}`);
        if (curve) out(`curve: ${curve.file} (chart ${curve.chartFile})`);
        if (report.checkpoint) out(`checkpoint: ${report.checkpoint}`);
        out(report.modelDir ? `model: ${report.modelDir}/model.json` : 'model: not saved (stopped early; resume with --resume)');
      }
      return report.status === 'done' ? 0 : 130;
    } finally {
      process.off('SIGINT', stop);
    }
  },
};
