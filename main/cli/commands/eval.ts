/** `facet eval <what>`: accuracy on LFW. Each evaluation is a subcommand with its own options; add one with a line in EVALUATIONS. */
import { DEFAULT_DETECTOR } from '../../../native-models/catalog.ts';
import { type AnyCommand, type Command, defineCommand } from '../command.ts';
import type { OptionSpecs } from '../options.ts';
import { createProgressPrinter } from '../progress.ts';
import { ALIGNMENT_OPTIONS, LFW_PIPELINE_OPTIONS, evalCacheDir, lfwDataDir } from './evalShared.ts';

/** The options both LFW evaluations share: alignment, detection floor and the detection cache. */
function pipelineTuning(values: { alignment?: 'dense' | 'five'; 'min-confidence'?: number; 'no-cache': boolean }) {
  return { alignment: values.alignment, minConfidence: values['min-confidence'], detectionCacheDir: values['no-cache'] ? undefined : evalCacheDir() };
}

const lfwEvalCommand = defineCommand({
  summary: 'LFW verification, the 10-fold protocol: accuracy, VAL@FAR=1e-3, AUC',
  usage: 'facet eval lfw --data DIR [--folds K] [--pairs FILE] [--model ID] [--detector ID] [--alignment dense|five] [--min-confidence C] [--workers N] [--no-flip] [--no-cache] [--json]',
  options: {
    ...LFW_PIPELINE_OPTIONS,
    ...ALIGNMENT_OPTIONS,
    folds: { type: 'integer', min: 1, max: 10, placeholder: 'K', description: 'the first K folds of pairs.txt (default 10)' },
    pairs: { type: 'string', placeholder: 'FILE', description: 'another pairs file in the pairs.txt format' },
  },
  async run({ values, json, backend, precision, out }) {
    const { evaluateLfw } = await import('../../eval/lfw.ts');
    const progress = createProgressPrinter(process.stderr);
    const report = await evaluateLfw({
      dataDir: lfwDataDir(values.data, 'eval lfw'),
      folds: values.folds,
      pairsFile: values.pairs,
      embedder: values.model,
      detector: values.detector,
      backend,
      precision,
      flip: !values['no-flip'],
      workers: values.workers,
      ...pipelineTuning(values),
      onProgress: progress,
    });
    progress.end();
    if (json) {
      const { model, detector, backend: used, folds, pairs, accuracy, stderr, valAtFar, auc, threshold, detectFailures, facesPerSecond } = report;
      out(JSON.stringify({ model, detector, backend: used, precision: report.precision, folds, pairs, accuracy, stderr, valAtFar, auc, threshold, detectFailures, facesPerSecond, weakDetections: report.weakDetections, workers: report.workers, detectionsFromCache: report.detectionsFromCache, images: report.images, farAchieved: report.farAchieved, seconds: report.seconds }));
      return 0;
    }
    out(`LFW ${report.pairs} pairs, ${report.folds} folds, ${report.model} + ${report.detector} on ${report.backend} (${report.precision})`);
    out(`accuracy     ${report.accuracy.toFixed(4)} ± ${report.stderr.toFixed(4)}`);
    out(`VAL@FAR=1e-3 ${report.valAtFar.toFixed(4)} (FAR achieved ${report.farAchieved.toFixed(5)})`);
    out(`AUC          ${report.auc.toFixed(5)}`);
    out(`threshold    ${report.threshold.toFixed(4)} (squared L2)`);
    out(`detection failures ${report.detectFailures} of ${report.images} images, ${report.weakDetections} found below confidence 0.5${report.detectionsFromCache ? ' (detections from cache)' : ''}; ${report.facesPerSecond.toFixed(1)} faces/s`);
    return 0;
  },
});

const clusterEvalCommand = defineCommand({
  summary: 'clusters LFW and scores it: pairwise and BCubed precision, recall and F',
  usage: 'facet eval cluster --data DIR [--min-images N] [--threshold T] [--sweep T1,T2,..] [--caution RHO] [--linkage L] [--model ID] [--detector ID] [--workers N] [--json]',
  options: {
    ...LFW_PIPELINE_OPTIONS,
    ...ALIGNMENT_OPTIONS,
    'min-images': { type: 'integer', min: 1, description: 'only people with at least N images' },
    threshold: { type: 'number', above: 0, max: 4, placeholder: 'T', description: 'squared L2 distance (default: calibrated per model)' },
    sweep: { type: 'numbers', above: 0, max: 4, placeholder: 'T1,T2...', description: 'also score these thresholds' },
    caution: { type: 'number', above: 0, max: 1, placeholder: 'RHO' },
    linkage: { type: 'string', choices: ['average', 'single', 'complete'] },
  },
  async run({ values, json, backend, precision, out }) {
    const { evaluateClustering } = await import('../../eval/clusterEval.ts');
    const { clusterCautionFor, clusterThresholdFor, DEFAULT_EMBEDDER } = await import('../../../native-models/catalog.ts');
    const embedder = values.model ?? DEFAULT_EMBEDDER;
    const progress = createProgressPrinter(process.stderr);
    const report = await evaluateClustering({
      dataDir: lfwDataDir(values.data, 'eval cluster'),
      minImages: values['min-images'],
      threshold: values.threshold ?? clusterThresholdFor(embedder),
      caution: values.caution ?? clusterCautionFor(embedder),
      sweep: values.sweep,
      linkage: values.linkage,
      embedder,
      detector: values.detector ?? DEFAULT_DETECTOR,
      backend,
      precision,
      flip: !values['no-flip'],
      workers: values.workers,
      ...pipelineTuning(values),
      onProgress: progress,
    });
    progress.end();
    if (json) {
      out(JSON.stringify(report));
      return 0;
    }
    out(`LFW clustering: ${report.faces} faces of ${report.identities} people → ${report.clusters} clusters (${report.linkage} linkage, threshold ${report.threshold}, caution ${report.caution}, ${report.method}; ${report.model} + ${report.detector}, ${report.precision})`);
    out(`pairwise  F ${report.pairwiseF.toFixed(4)}  precision ${report.pairwisePrecision.toFixed(4)}  recall ${report.pairwiseRecall.toFixed(4)}`);
    out(`BCubed    F ${report.bcubedF.toFixed(4)}  precision ${report.bcubedPrecision.toFixed(4)}  recall ${report.bcubedRecall.toFixed(4)}`);
    out(`embedding ${report.embedSeconds.toFixed(1)} s, clustering ${report.clusterSeconds.toFixed(2)} s; ${report.detectFailures} detection failures`);
    for (const row of report.sweep) out(`  at ${row.threshold}: ${row.clusters} clusters, pairwise F ${row.pairwiseF.toFixed(4)}, BCubed F ${row.bcubedF.toFixed(4)}`);
    return 0;
  },
});

/** `eval finetune`, whose options its own module still checks (evalFinetune.ts). */
async function finetuneEvalCommand(): Promise<AnyCommand> {
  const { finetuneEvalOptions, finetuneEvalUsage, runFinetuneEval } = await import('./evalFinetune.ts');
  const command: Command = {
    summary: 'the personalisation protocol on LFW: clustering and verification before and after fine-tuning, clean and degraded',
    usage: finetuneEvalUsage,
    options: { ...LFW_PIPELINE_OPTIONS, ...(finetuneEvalOptions as OptionSpecs) },
    run: ({ values, json, backend, precision, out }) => runFinetuneEval(values, json, out, { backend, precision }),
  };
  return command;
}

/** The evaluations, by name, each loaded when used. */
const EVALUATIONS: Record<string, () => Promise<AnyCommand>> = {
  lfw: async () => lfwEvalCommand,
  cluster: async () => clusterEvalCommand,
  finetune: finetuneEvalCommand,
  robustness: async () => (await import('./evalRobustness.ts')).robustnessEvalCommand,
  journey: async () => (await import('./evalJourney.ts')).journeyEvalCommand,
  precision: async () => (await import('./evalPrecision.ts')).precisionEvalCommand,
  'calibrate-int8': async () => (await import('./evalPrecision.ts')).calibrateInt8Command,
};

export const evalCommand: Command = {
  summary: 'measure accuracy on LFW: lfw (verification, 10-fold protocol), cluster (clustering quality), finetune, robustness, precision (fp32 vs int8)',
  usage: `facet eval ${Object.keys(EVALUATIONS).join('|')} --data DIR [options]   (facet eval lfw --help for each one's options)`,
  subcommands: EVALUATIONS,
};
