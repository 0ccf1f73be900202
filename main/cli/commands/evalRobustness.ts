/** `facet eval robustness`: LFW accuracy and VAL@FAR=1e-3 against JPEG quality and face size (main/eval/robustnessEval.ts). */
import { defineCommand } from '../command.ts';
import { createProgressPrinter } from '../progress.ts';
import { LFW_PIPELINE_OPTIONS, evalCacheDir, lfwDataDir } from './evalShared.ts';

export const robustnessEvalCommand = defineCommand({
  summary: "LFW accuracy and VAL@FAR=1e-3 against JPEG quality and face size (FaceNet's Table 4), and a chart",
  usage: 'facet eval robustness --data DIR [--folds K] [--limit N] [--qualities 10,20,..] [--sizes 40,60,..] [--chart FILE.png] [--model ID] [--workers N] [--json]',
  options: {
    ...LFW_PIPELINE_OPTIONS,
    folds: { type: 'integer', min: 1, max: 10, placeholder: 'K', description: 'the first K folds of pairs.txt (default 10)' },
    limit: { type: 'integer', min: 1, description: 'only the first N pairs' },
    qualities: { type: 'integers', min: 1, max: 100, description: 'JPEG qualities' },
    sizes: { type: 'integers', min: 1, placeholder: 'PX,PX...', description: 'face box widths in pixels' },
    chart: { type: 'string', placeholder: 'FILE.png', default: 'robustness.png' },
  },
  async run({ values, json, backend, precision, out }) {
    const { evaluateRobustness } = await import('../../eval/robustnessEval.ts');
    const progress = createProgressPrinter(process.stderr);
    const report = await evaluateRobustness({
      dataDir: lfwDataDir(values.data, 'eval robustness'),
      cacheDir: evalCacheDir(),
      folds: values.folds,
      limit: values.limit,
      qualities: values.qualities,
      sizes: values.sizes,
      chartFile: values.chart,
      embedder: values.model,
      detector: values.detector,
      workers: values.workers,
      backend,
      precision,
      onProgress: progress,
    });
    progress.end();
    if (json) {
      out(JSON.stringify(report));
      return 0;
    }
    out(`LFW robustness of ${report.model}: ${report.pairs} pairs in ${report.folds} folds (${report.images} images), ${report.backend} (${report.precision})`);
    out('condition        accuracy         VAL@FAR=1e-3');
    for (const row of [report.clean, ...report.jpeg, ...report.size]) {
      out(`${row.condition.padEnd(16)} ${row.accuracy.toFixed(4)} ± ${row.stderr.toFixed(4)}  ${row.valAtFar.toFixed(4)}`);
    }
    out(`chart: ${report.chart}; ${report.seconds.toFixed(0)} s`);
    return 0;
  },
});
