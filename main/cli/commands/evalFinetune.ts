/** `facet eval finetune`: the personalisation protocol on LFW (main/eval/finetuneEval.ts). */
import type { ParseArgsConfig } from 'node:util';
import { createProgressPrinter } from '../progress.ts';
import { evalCacheDir, integerOption, lfwDataDir } from './evalShared.ts';

export const finetuneEvalUsage = 'facet eval finetune --data DIR [--people N] [--steps N] [--margin M] [--seed N] [--model ID] [--workers N] [--json]';

export const finetuneEvalOptions: NonNullable<ParseArgsConfig['options']> = {
  people: { type: 'string' },
  steps: { type: 'string' },
  margin: { type: 'string' },
  seed: { type: 'string' },
};

export async function runFinetuneEval(values: Record<string, unknown>, json: boolean, out: (text: string) => void): Promise<number> {
  const { evaluateFinetune } = await import('../../eval/finetuneEval.ts');
  const steps = integerOption(values, 'steps');
  const margin = values.margin === undefined ? undefined : Number(values.margin);
  if (margin !== undefined && !(margin > 0)) throw new Error(`--margin must be a number > 0, got "${String(values.margin)}"`);
  const progress = createProgressPrinter(process.stderr);
  const report = await evaluateFinetune({
    dataDir: lfwDataDir(values.data, 'eval finetune'),
    cacheDir: evalCacheDir(),
    people: integerOption(values, 'people', 2),
    embedder: values.model as string | undefined,
    detector: values.detector as string | undefined,
    workers: integerOption(values, 'workers', 0),
    seed: integerOption(values, 'seed', 0),
    training: { ...(steps === undefined ? {} : { steps }), ...(margin === undefined ? {} : { margin }) },
    onProgress: progress,
  });
  progress.end();
  if (json) {
    out(JSON.stringify(report));
    return 0;
  }
  const d = report.degradation;
  out(`${report.namedPeople} named people (${report.namedFaces} named faces), library of ${report.heldOutFaces} held-out faces and ${report.strangerFaces} strangers; ${report.model} on ${report.backend}`);
  for (const [name, scores] of [['clean', report.clean], [`degraded (face ${d.facePixels} px, JPEG ${d.quality})`, report.degraded]] as const) {
    out(`${name}: BCubed F ${scores.before.bcubedF.toFixed(4)} → ${scores.after.bcubedF.toFixed(4)}, accuracy ${scores.before.accuracy.toFixed(4)} → ${scores.after.accuracy.toFixed(4)} ` +
      `(cluster threshold ${scores.before.clusterThreshold.toFixed(3)} → ${scores.after.clusterThreshold.toFixed(3)})`);
  }
  out(`LFW accuracy ${report.lfwAccuracyBefore.toFixed(4)} → ${report.lfwAccuracyAfter.toFixed(4)} on ${report.lfwPairs} pairs; ${report.seconds.toFixed(0)} s`);
  return 0;
}
