/**
 * Calibration tables for the int8 graphs (quantize.ts): the range of every quantized activation,
 * measured by running the float graph over calibration inputs (main/eval/int8Calibration.ts: aligned
 * faces of LFW's development training people for the embedder, development images and composed group
 * photos of the tuning seed for the detector). The tables ship in calibration/<model>.json, so the int8
 * graph is made on first use from the verified weights and the table, like the float graph from the
 * weights alone, on any machine, with no LFW at hand.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { QUANTIZER_VERSION, type TensorRange } from './quantize.ts';

export const CALIBRATION_FORMAT = 1;

/** How a tensor's range is taken from what calibration saw. */
export type RangeMethod = 'minmax' | 'percentile';

export interface ObservedRange {
  min: number;
  max: number;
  /** The `percentile` and 1 − `percentile` quantiles of a sample of the values. */
  low: number;
  high: number;
}

export interface CalibrationTable {
  format: number;
  model: string;
  /** The float graph's cache key (cache.ts conversionKey): tensor names belong to that graph. */
  graphKey: string;
  quantizer: number;
  /** What the inputs were, in words (people list, seed, how many of each kind). */
  set: string;
  /** How many calibration inputs (faces, or detector inputs). */
  count: number;
  method: RangeMethod;
  percentile: number;
  tensors: Record<string, ObservedRange>;
}

export class CalibrationTableError extends Error {
  override readonly name = 'CalibrationTableError';
  constructor(message: string, readonly file: string) {
    super(message);
  }
}

/** Where a model's table lives (beside this module, in the sources and the compiled build alike). */
export function calibrationTableFile(modelId: string): string {
  return fileURLToPath(new URL(`./calibration/${modelId}.json`, import.meta.url));
}

/** The table shipped for a model; throws a CalibrationTableError naming the file when it is missing or made for another graph. */
export function readCalibrationTable(modelId: string, graphKey: string, file = calibrationTableFile(modelId)): CalibrationTable {
  if (!existsSync(file)) throw new CalibrationTableError(`${file}: no int8 calibration table for "${modelId}" (facet eval calibrate-int8 makes one)`, file);
  const table = JSON.parse(readFileSync(file, 'utf8')) as CalibrationTable;
  if (table.format !== CALIBRATION_FORMAT) throw new CalibrationTableError(`${file}: format ${table.format}, expected ${CALIBRATION_FORMAT}`, file);
  if (table.model !== modelId) throw new CalibrationTableError(`${file}: a table for "${table.model}", not "${modelId}"`, file);
  if (table.graphKey !== graphKey) {
    throw new CalibrationTableError(`${file}: made for float graph ${table.graphKey}, the converter now makes ${graphKey}; calibrate again (facet eval calibrate-int8)`, file);
  }
  return table;
}

/** The ranges quantizeGraph takes, by the table's method. */
export function rangesOf(table: Pick<CalibrationTable, 'method' | 'tensors'>): Record<string, TensorRange> {
  return Object.fromEntries(Object.entries(table.tensors).map(([name, r]) => [name, table.method === 'minmax' ? { min: r.min, max: r.max } : { min: r.low, max: r.high }]));
}

/** What goes into the int8 graph's cache key from the table. */
export function calibrationKeySource(table: CalibrationTable): object {
  return { quantizer: QUANTIZER_VERSION, set: table.set, count: table.count, method: table.method, percentile: table.percentile, tensors: table.tensors };
}

/** Values kept per tensor per observation for the percentiles. */
const SAMPLE_PER_OBSERVATION = 4096;

/**
 * Running min/max of each tensor over calibration batches, and a strided sample of its values for
 * percentiles (every value of a 150×150 face's early feature maps would be tens of millions per tensor).
 */
export class RangeObserver {
  private readonly seen = new Map<string, { min: number; max: number; sample: number[] }>();
  private observations = 0;

  observe(tensor: string, values: Float32Array): void {
    let entry = this.seen.get(tensor);
    if (!entry) this.seen.set(tensor, (entry = { min: Infinity, max: -Infinity, sample: [] }));
    let min = entry.min, max = entry.max;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    entry.min = min;
    entry.max = max;
    const stride = Math.max(1, Math.floor(values.length / SAMPLE_PER_OBSERVATION));
    // The offset moves with each observation so that strided samples do not always hit the same channel.
    for (let i = this.observations % stride; i < values.length; i += stride) entry.sample.push(values[i]!);
    this.observations++;
  }

  ranges(percentile: number): Record<string, ObservedRange> {
    if (!(percentile > 0.5 && percentile <= 1)) throw new RangeError(`percentile must be in (0.5, 1], got ${percentile}`);
    const out: Record<string, ObservedRange> = {};
    for (const [tensor, { min, max, sample }] of this.seen) {
      const sorted = Float64Array.from(sample).sort();
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
      out[tensor] = { min, max, low: Math.max(min, at(1 - percentile)), high: Math.min(max, at(percentile)) };
    }
    return out;
  }
}
