/** `facet eval finetune`: the personalisation protocol on LFW (main/eval/finetuneEval.ts). */
import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import type { FinetuneEvalReport } from '../../eval/finetuneEval.ts';
import type { PrecisionMode } from '../../embed/precision.ts';
import { createProgressPrinter } from '../progress.ts';
import { evalCacheDir, integerOption, lfwDataDir } from './evalShared.ts';

export const finetuneEvalUsage = 'facet eval finetune --data DIR [--split test|dev|all] [--design D1,D2,... (baseline, linear-mined, low-rank)] [--seeds N] [--seed FIRST] ' +
  '[--named-fraction F | --named-faces N] [--steps N] [--margin M] [--lr X] [--weight-decay X] [--rank R] [--min-distance D | --no-strangers] [--holdback F] [--grid FILE.json] ' +
  '[--people N] [--stranger-share F] [--model ID] [--workers N] [--json]';

export const finetuneEvalOptions: NonNullable<ParseArgsConfig['options']> = {
  split: { type: 'string' },
  design: { type: 'string' },
  seeds: { type: 'string' },
  seed: { type: 'string' },
  'named-fraction': { type: 'string' },
  'named-faces': { type: 'string' },
  people: { type: 'string' },
  steps: { type: 'string' },
  margin: { type: 'string' },
  lr: { type: 'string' },
  'weight-decay': { type: 'string' },
  rank: { type: 'string' },
  'min-distance': { type: 'string' },
  'no-strangers': { type: 'boolean' },
  holdback: { type: 'string' },
  grid: { type: 'string' },
  'stranger-share': { type: 'string' },
};

/** --grid FILE: a JSON array of { label, design, recipe } entries (docs/finetune-dev-grid.json). */
function readGrid(file: string): Array<{ label: string; design: string; recipe?: object }> {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`--grid ${file}: ${(error as Error).message}`);
  }
  if (!Array.isArray(entries) || entries.some((e) => typeof e?.label !== 'string' || typeof e?.design !== 'string')) {
    throw new Error(`--grid ${file}: expected a JSON array of { "label": ..., "design": ..., "recipe": {...} }`);
  }
  return entries;
}

/** A number option within (low, high] (or [low, high] when `inclusive`), or undefined when absent. */
function fraction(values: Record<string, unknown>, name: string, low: number, high: number, inclusive = false): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!((inclusive ? value >= low : value > low) && value <= high)) {
    throw new Error(`--${name} must be a number in ${inclusive ? '[' : '('}${low}, ${high}], got "${String(raw)}"`);
  }
  return value;
}

export async function runFinetuneEval(values: Record<string, unknown>, json: boolean, out: (text: string) => void, networks: { backend?: string; precision?: PrecisionMode } = {}): Promise<number> {
  const { evaluateFinetuneDesigns } = await import('../../eval/finetuneEval.ts');
  const split = (values.split as string | undefined) ?? 'test';
  if (!['test', 'dev', 'all'].includes(split)) throw new Error(`--split must be test, dev or all, got "${split}"`);
  const namedFaces = integerOption(values, 'named-faces', 2);
  const namedFraction = fraction(values, 'named-fraction', 0, 0.9);
  if (namedFaces !== undefined && namedFraction !== undefined) throw new Error('--named-faces and --named-fraction exclude each other');
  const minDistance = fraction(values, 'min-distance', 0, 4, true);
  const training = {
    steps: integerOption(values, 'steps', 0),
    margin: fraction(values, 'margin', 0, 4),
    learningRate: fraction(values, 'lr', 0, 1),
    weightDecay: fraction(values, 'weight-decay', 0, 100, true),
    rank: integerOption(values, 'rank', 1),
  };
  const progress = createProgressPrinter(process.stderr);
  const overrides = {
    training: Object.fromEntries(Object.entries(training).filter(([, v]) => v !== undefined)),
    ...(values['no-strangers'] ? { strangers: false as const } : minDistance !== undefined ? { strangers: { count: 40, minDistance } } : {}),
    ...(values.holdback === undefined ? {} : { validationFraction: fraction(values, 'holdback', 0, 0.5, true)! }),
  };
  const designs = ((values.design as string | undefined) ?? 'low-rank').split(',').map((d) => d.trim());
  const entries = typeof values.grid === 'string' ? readGrid(values.grid) : designs.map((design) => ({ label: design, design, recipe: overrides }));
  const reports = await evaluateFinetuneDesigns({
    dataDir: lfwDataDir(values.data, 'eval finetune'),
    cacheDir: evalCacheDir(),
    split: split as 'test' | 'dev' | 'all',
    seeds: integerOption(values, 'seeds', 1),
    firstSeed: integerOption(values, 'seed', 0),
    named: namedFaces !== undefined ? { count: namedFaces } : { fraction: namedFraction },
    people: integerOption(values, 'people', 2),
    strangerShare: fraction(values, 'stranger-share', 0, 1),
    embedder: values.model as string | undefined,
    detector: values.detector as string | undefined,
    backend: networks.backend,
    precision: networks.precision,
    workers: integerOption(values, 'workers', 0),
    onProgress: progress,
  }, entries);
  progress.end();
  if (json) {
    out(JSON.stringify(reports.length === 1 ? reports[0] : { designs: reports }));
    return 0;
  }
  for (const report of reports) describe(report, out);
  return 0;
}

function describe(report: FinetuneEvalReport, out: (text: string) => void): void {
  const d = report.degradation;
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;
  out(`${report.split} split, design ${report.design}, ${report.seeds.length} seeds: ${report.namedPeople} named people (${report.namedFaces.toFixed(0)} confirmed faces), ` +
    `library of ${report.heldOutFaces.toFixed(0)} unconfirmed faces of theirs and ${report.strangerFaces} of strangers; ${report.model} on ${report.backend} (${report.precision})`);
  for (const [name, scores, key] of [['clean', report.clean, 'cleanF'], [`degraded (face ${d.facePixels} px, JPEG ${d.quality})`, report.degraded, 'degradedF']] as const) {
    out(`${name}: BCubed F ${scores.before.bcubedF.toFixed(4)} → ${scores.after.bcubedF.toFixed(4)} (${signed(report.gain[key])} ± ${report.sd[key].toFixed(4)}, worst seed ${signed(key === 'degradedF' ? report.worst.degradedF : Math.min(...report.seeds.map((s) => s.clean.after.bcubedF - s.clean.before.bcubedF)))}), ` +
      `accuracy ${scores.before.accuracy.toFixed(4)} → ${scores.after.accuracy.toFixed(4)}`);
  }
  out(`LFW accuracy ${report.lfwAccuracyBefore.toFixed(4)} → ${report.lfwAccuracyAfter.toFixed(4)} (${signed(report.gain.lfwAccuracy)} ± ${report.sd.lfwAccuracy.toFixed(4)}) on ${report.lfwPairs} pairs; ${report.seconds.toFixed(0)} s`);
}
