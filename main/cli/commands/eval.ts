import { DEFAULT_DETECTOR } from '../../../native-models/catalog.ts';
import type { Command } from '../main.ts';
import { createProgressPrinter } from '../progress.ts';
import { finetuneEvalOptions, finetuneEvalUsage, runFinetuneEval } from './evalFinetune.ts';
import { robustnessEvalOptions, robustnessEvalUsage, runRobustnessEval } from './evalRobustness.ts';
import { evalCacheDir as cacheDir, lfwDataDir as requireDataDir } from './evalShared.ts';

export const evalCommand: Command = {
  summary: 'measure accuracy on LFW: eval lfw (verification, 10-fold protocol), eval cluster (clustering quality), eval finetune, eval robustness',
  usage: 'facet eval lfw|cluster --data DIR [--folds K] [--min-images N] [--threshold T] [--sweep T1,T2,..] [--caution RHO] [--linkage L] [--model ID] [--detector ID] [--alignment dense|five] [--min-confidence C] [--workers N] [--no-flip] [--no-cache] [--json]',
  options: {
    ...finetuneEvalOptions,
    ...robustnessEvalOptions,
    data: { type: 'string' },
    folds: { type: 'string' },
    model: { type: 'string' },
    detector: { type: 'string' },
    'no-flip': { type: 'boolean' },
    pairs: { type: 'string' },
    workers: { type: 'string' },
    'no-cache': { type: 'boolean' },
    'min-images': { type: 'string' },
    threshold: { type: 'string' },
    sweep: { type: 'string' },
    linkage: { type: 'string' },
    alignment: { type: 'string' },
    'min-confidence': { type: 'string' },
    caution: { type: 'string' },
  },
  async run({ args, values, json, out }) {
    const [what] = args;
    if (what === 'cluster') return runClusterEval(values, json, out);
    if (what === 'finetune') return runFinetuneEval(values, json, out);
    if (what === 'robustness') return runRobustnessEval(values, json, out);
    if (what !== 'lfw') throw new Error(`unknown evaluation "${what ?? ''}": use ${this.usage}\n  or ${finetuneEvalUsage}\n  or ${robustnessEvalUsage}`);
    const { evaluateLfw } = await import('../../eval/lfw.ts');
    const folds = values.folds === undefined ? undefined : Number(values.folds);
    if (folds !== undefined && !(Number.isInteger(folds) && folds >= 1)) throw new Error(`--folds must be a whole number >= 1, got "${values.folds}"`);
    const progress = createProgressPrinter(process.stderr);
    const report = await evaluateLfw({
      dataDir: requireDataDir(values.data, 'eval lfw'),
      folds,
      pairsFile: values.pairs as string | undefined,
      embedder: values.model as string | undefined,
      detector: values.detector as string | undefined,
      flip: values['no-flip'] !== true,
      workers: values.workers === undefined ? undefined : Number(values.workers),
      ...pipelineTuning(values),
      onProgress: progress,
    });
    progress.end();
    if (json) {
      const { model, detector, backend, folds: foldCount, pairs, accuracy, stderr, valAtFar, auc, threshold, detectFailures, facesPerSecond } = report;
      out(JSON.stringify({ model, detector, backend, folds: foldCount, pairs, accuracy, stderr, valAtFar, auc, threshold, detectFailures, facesPerSecond, weakDetections: report.weakDetections, workers: report.workers, detectionsFromCache: report.detectionsFromCache, images: report.images, farAchieved: report.farAchieved, seconds: report.seconds }));
    } else {
      out(`LFW ${report.pairs} pairs, ${report.folds} folds, ${report.model} + ${report.detector} on ${report.backend}`);
      out(`accuracy     ${report.accuracy.toFixed(4)} ± ${report.stderr.toFixed(4)}`);
      out(`VAL@FAR=1e-3 ${report.valAtFar.toFixed(4)} (FAR achieved ${report.farAchieved.toFixed(5)})`);
      out(`AUC          ${report.auc.toFixed(5)}`);
      out(`threshold    ${report.threshold.toFixed(4)} (squared L2)`);
      out(`detection failures ${report.detectFailures} of ${report.images} images, ${report.weakDetections} found below confidence 0.5${report.detectionsFromCache ? ' (detections from cache)' : ''}; ${report.facesPerSecond.toFixed(1)} faces/s`);
    }
    return 0;
  },
};

/** The options both LFW evaluations share: alignment, detection floor and the detection cache. */
function pipelineTuning(values: Record<string, unknown>): { alignment?: 'dense' | 'five'; minConfidence?: number; detectionCacheDir?: string } {
  const alignment = values.alignment as string | undefined;
  if (alignment !== undefined && alignment !== 'dense' && alignment !== 'five') throw new Error(`--alignment must be dense or five, got "${alignment}"`);
  const minConfidence = numberOption(values, 'min-confidence');
  if (minConfidence !== undefined && !(minConfidence > 0 && minConfidence < 1)) throw new Error(`--min-confidence must lie strictly between 0 and 1, got ${minConfidence}`);
  return { alignment, minConfidence, detectionCacheDir: values['no-cache'] ? undefined : cacheDir() };
}

function numberOption(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${String(raw)}"`);
  return value;
}

async function runClusterEval(values: Record<string, unknown>, json: boolean, out: (text: string) => void): Promise<number> {
  const { evaluateClustering } = await import('../../eval/clusterEval.ts');
  const { clusterCautionFor, clusterThresholdFor, DEFAULT_EMBEDDER } = await import('../../../native-models/catalog.ts');
  const embedder = (values.model as string | undefined) ?? DEFAULT_EMBEDDER;
  const detector = (values.detector as string | undefined) ?? DEFAULT_DETECTOR;
  const progress = createProgressPrinter(process.stderr);
  const report = await evaluateClustering({
    dataDir: requireDataDir(values.data, 'eval cluster'),
    minImages: numberOption(values, 'min-images'),
    threshold: numberOption(values, 'threshold') ?? clusterThresholdFor(embedder),
    caution: numberOption(values, 'caution') ?? clusterCautionFor(embedder),
    sweep: typeof values.sweep === 'string' ? values.sweep.split(',').map(Number) : undefined,
    linkage: values.linkage as 'average' | 'single' | 'complete' | undefined,
    embedder,
    detector,
    flip: values['no-flip'] !== true,
    workers: numberOption(values, 'workers'),
    ...pipelineTuning(values),
    onProgress: progress,
  });
  progress.end();
  if (json) {
    out(JSON.stringify(report));
  } else {
    out(`LFW clustering: ${report.faces} faces of ${report.identities} people → ${report.clusters} clusters (${report.linkage} linkage, threshold ${report.threshold}, caution ${report.caution}, ${report.method})`);
    out(`pairwise  F ${report.pairwiseF.toFixed(4)}  precision ${report.pairwisePrecision.toFixed(4)}  recall ${report.pairwiseRecall.toFixed(4)}`);
    out(`BCubed    F ${report.bcubedF.toFixed(4)}  precision ${report.bcubedPrecision.toFixed(4)}  recall ${report.bcubedRecall.toFixed(4)}`);
    out(`embedding ${report.embedSeconds.toFixed(1)} s, clustering ${report.clusterSeconds.toFixed(2)} s; ${report.detectFailures} detection failures`);
    for (const row of report.sweep) out(`  at ${row.threshold}: ${row.clusters} clusters, pairwise F ${row.pairwiseF.toFixed(4)}, BCubed F ${row.bcubedF.toFixed(4)}`);
  }
  return 0;
}
