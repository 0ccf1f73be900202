/** `facet eval robustness`: LFW accuracy and VAL@FAR=1e-3 against JPEG quality and face size (main/eval/robustnessEval.ts). */
import type { ParseArgsConfig } from 'node:util';
import { createProgressPrinter } from '../progress.ts';
import { evalCacheDir, integerList, integerOption, lfwDataDir } from './evalShared.ts';

export const robustnessEvalUsage = 'facet eval robustness --data DIR [--folds K] [--limit N] [--qualities 10,20,..] [--sizes 40,60,..] [--chart FILE.png] [--model ID] [--workers N] [--json]';

export const robustnessEvalOptions: NonNullable<ParseArgsConfig['options']> = {
  limit: { type: 'string' },
  qualities: { type: 'string' },
  sizes: { type: 'string' },
  chart: { type: 'string' },
};

export async function runRobustnessEval(values: Record<string, unknown>, json: boolean, out: (text: string) => void): Promise<number> {
  const { evaluateRobustness } = await import('../../eval/robustnessEval.ts');
  const qualities = integerList(values, 'qualities');
  if (qualities?.some((q) => q > 100)) throw new Error(`--qualities must lie in 1..100, got "${String(values.qualities)}"`);
  const progress = createProgressPrinter(process.stderr);
  const report = await evaluateRobustness({
    dataDir: lfwDataDir(values.data, 'eval robustness'),
    cacheDir: evalCacheDir(),
    folds: integerOption(values, 'folds'),
    limit: integerOption(values, 'limit'),
    qualities,
    sizes: integerList(values, 'sizes'),
    chartFile: (values.chart as string | undefined) ?? 'robustness.png',
    embedder: values.model as string | undefined,
    detector: values.detector as string | undefined,
    workers: integerOption(values, 'workers', 0),
    onProgress: progress,
  });
  progress.end();
  if (json) {
    out(JSON.stringify(report));
    return 0;
  }
  out(`LFW robustness of ${report.model}: ${report.pairs} pairs in ${report.folds} folds (${report.images} images), ${report.backend}`);
  out('condition        accuracy         VAL@FAR=1e-3');
  for (const row of [report.clean, ...report.jpeg, ...report.size]) {
    out(`${row.condition.padEnd(16)} ${row.accuracy.toFixed(4)} ± ${row.stderr.toFixed(4)}  ${row.valAtFar.toFixed(4)}`);
  }
  out(`chart: ${report.chart}; ${report.seconds.toFixed(0)} s`);
  return 0;
}
