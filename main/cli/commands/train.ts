/** `facet train`: trains a FaceNet network with the triplet loss on a folder-per-identity dataset. */
import type { TrainProgress } from '../../training/train.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';

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

export const trainCommand = defineCommand({
  summary: 'train a FaceNet network (NN1…NNS2) with the triplet loss on DIR/<identity>/<images>',
  usage:
    'facet train --arch ARCH --data DIR [--people FILE] [--steps N] [--identities K] [--faces-per-identity M] [--optimizer adagrad|adam|sgd] [--lr 0.05] ' +
    '[--margin 0.2] [--warmup N] [--seed N] [--crop F] [--checkpoint DIR] [--checkpoint-every N] [--resume] ' +
    '[--val-pairs FILE] [--val-every N] [--val-limit N] [--curve FILE.json] [--out DIR] [--json]',
  options: {
    arch: { type: 'string', placeholder: 'ARCH', description: 'NN1, NN2, NN3, NN4, NNS1 or NNS2' },
    data: { type: 'string', placeholder: 'DIR', description: 'DIR/<identity>/<images>' },
    people: { type: 'string', placeholder: 'FILE', description: "only the identities this file lists (LFW's peopleDevTrain.txt)" },
    steps: { type: 'integer', min: 1 },
    identities: { type: 'integer', min: 2, placeholder: 'K', description: 'identities per batch' },
    'faces-per-identity': { type: 'integer', min: 2, placeholder: 'M' },
    optimizer: { type: 'string', choices: ['adagrad', 'adam', 'sgd'] },
    lr: { type: 'number', above: 0, placeholder: 'RATE', description: 'learning rate (default 0.05)' },
    margin: { type: 'number', above: 0, description: 'triplet margin (default 0.2)' },
    warmup: { type: 'integer', min: 0, description: 'steps before semi-hard mining' },
    seed: { type: 'integer', min: 0 },
    crop: { type: 'number', above: 0, max: 1, placeholder: 'F', description: 'central fraction of each image' },
    checkpoint: { type: 'string', placeholder: 'DIR' },
    'checkpoint-every': { type: 'integer', min: 1 },
    resume: { type: 'boolean', description: 'continue from the checkpoint' },
    'val-pairs': { type: 'string', placeholder: 'FILE' },
    'val-every': { type: 'integer', min: 1 },
    'val-limit': { type: 'integer', min: 1 },
    out: { type: 'string', placeholder: 'DIR', description: 'where the trained model goes' },
    curve: { type: 'string', placeholder: 'FILE.json', description: 'loss, active fraction and validation per step, and a chart' },
  },
  async run({ values, json, backend: requestedBackend, out, err }) {
    const { arch, data: dataDir } = values;
    if (!arch || !dataDir) throw new UsageError(`--arch and --data are both needed, as in \`facet train --arch NNS2 --data ~/lfw\``);
    // TensorFlow.js loads only now, so that --help and a mistyped option answer at once.
    const [{ parseFaceNetName }, { initBackend }, { parseOptimizerName }, { train }, { TrainingCurve }] = await Promise.all([
      import('../../../native-models/facenet/index.ts'), import('../../embed/backend.ts'), import('../../training/optimizers.ts'),
      import('../../training/train.ts'), import('../../training/trainingCurve.ts'),
    ]);
    parseFaceNetName(arch); // an unknown name fails before the backend loads
    const backend = await initBackend(requestedBackend);
    const controller = new AbortController();
    const stop = () => {
      err('stopping after this step (a checkpoint is written when --checkpoint is set)');
      controller.abort();
      process.off('SIGINT', stop);
    };
    process.on('SIGINT', stop);
    // The curve is rewritten after every step, so a long run can be plotted while it trains.
    const curve = values.curve === undefined ? undefined : new TrainingCurve(values.curve);
    try {
      err(`training ${parseFaceNetName(arch)} on ${backend}`);
      const report = await train({
        arch,
        dataDir,
        peopleFile: values.people,
        steps: values.steps,
        identitiesPerBatch: values.identities,
        facesPerIdentity: values['faces-per-identity'],
        optimizer: values.optimizer === undefined ? undefined : parseOptimizerName(values.optimizer),
        learningRate: values.lr,
        margin: values.margin,
        warmupSteps: values.warmup,
        seed: values.seed,
        cropFraction: values.crop,
        checkpointDir: values.checkpoint,
        checkpointEvery: values['checkpoint-every'],
        resume: values.resume,
        valPairs: values['val-pairs'],
        valEvery: values['val-every'],
        valLimit: values['val-limit'],
        outDir: values.out,
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
});
