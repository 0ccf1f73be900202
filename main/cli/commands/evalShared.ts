/** What `facet eval finetune` and `facet eval robustness` share: the LFW folder, the cache folder, number options. */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where evaluation caches go (detections, degraded embeddings): FACET_CACHE_DIR, else ~/.cache/facet. */
export function evalCacheDir(): string {
  return process.env.FACET_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'facet');
}

/** --data, else ../shared/data/lfw; refused unless it holds pairs.txt. */
export function lfwDataDir(value: unknown, what: string): string {
  const dir = path.resolve(typeof value === 'string' ? value : path.join('..', 'shared', 'data', 'lfw'));
  if (!existsSync(path.join(dir, 'pairs.txt'))) throw new Error(`${what}: ${dir} does not hold LFW (no pairs.txt); pass --data DIR`);
  return dir;
}

/** A whole-number option ≥ min, or undefined when absent. */
export function integerOption(values: Record<string, unknown>, name: string, min = 1): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!(Number.isInteger(value) && value >= min)) throw new Error(`--${name} must be a whole number >= ${min}, got "${String(raw)}"`);
  return value;
}

/** "10,20,30" → [10, 20, 30], each a whole number ≥ 1. */
export function integerList(values: Record<string, unknown>, name: string): number[] | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const list = String(raw).split(',').map((item) => Number(item.trim()));
  if (list.length === 0 || list.some((value) => !(Number.isInteger(value) && value >= 1))) throw new Error(`--${name} must be whole numbers separated by commas, got "${String(raw)}"`);
  return list;
}
