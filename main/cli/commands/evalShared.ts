/** What the `facet eval` subcommands share: the LFW folder, the cache folder, number options, the pipeline's options. */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../library/repoRoot.ts';
import type { OptionSpecs } from '../options.ts';
import { UsageError } from '../options.ts';

/** Where evaluation caches go (detections, degraded embeddings): FACET_CACHE_DIR, else ~/.cache/facet. */
export function evalCacheDir(): string {
  return process.env.FACET_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'facet');
}

/** --data, else FACET_LFW_DIR, else ../shared/data/lfw beside the repository; refused unless it holds pairs.txt. */
export function lfwDataDir(value: unknown, what: string): string {
  const dir = path.resolve(typeof value === 'string' ? value : process.env.FACET_LFW_DIR ?? path.join(REPO_ROOT, '..', 'shared', 'data', 'lfw'));
  if (!existsSync(path.join(dir, 'pairs.txt'))) throw new UsageError(`${what}: ${dir} does not hold LFW (no pairs.txt); pass --data DIR or set FACET_LFW_DIR`);
  return dir;
}

/** A whole-number option ≥ min, or undefined when absent (for subcommands not yet on typed options). */
export function integerOption(values: Record<string, unknown>, name: string, min = 1): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!(Number.isInteger(value) && value >= min)) throw new UsageError(`--${name} must be a whole number, at least ${min}, not "${String(raw)}"`, name);
  return value;
}

/** "10,20,30" → [10, 20, 30], each a whole number ≥ 1. */
export function integerList(values: Record<string, unknown>, name: string): number[] | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const list = String(raw).split(',').map((item) => Number(item.trim()));
  if (list.length === 0 || list.some((value) => !(Number.isInteger(value) && value >= 1))) throw new UsageError(`--${name} must be whole numbers separated by commas, not "${String(raw)}"`, name);
  return list;
}

/** The options every LFW evaluation takes: where LFW is, which networks, how many workers. */
export const LFW_PIPELINE_OPTIONS = {
  data: { type: 'string', placeholder: 'DIR', description: 'the LFW folder (default: FACET_LFW_DIR, else ../shared/data/lfw)' },
  model: { type: 'string', placeholder: 'ID', description: 'the embedder (default dlib-resnet)' },
  detector: { type: 'string', placeholder: 'ID', description: 'the face detector (default ssd-mobilenetv1)' },
  workers: { type: 'integer', min: 0, description: 'analysis worker threads (default: one per core)' },
} as const satisfies OptionSpecs;

/** How faces are found and aligned in the verification and clustering evaluations. */
export const ALIGNMENT_OPTIONS = {
  alignment: { type: 'string', choices: ['dense', 'five'], description: "dense: dlib's 68-point fit (default); five: five landmarks" },
  'min-confidence': { type: 'number', above: 0, below: 1, placeholder: 'C', description: 'lowest SSD score for the central face' },
  'no-flip': { type: 'boolean', description: 'embed the face only, not also its mirror image' },
  'no-cache': { type: 'boolean', description: 'detect again instead of using cached detections' },
} as const satisfies OptionSpecs;
