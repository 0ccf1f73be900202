/**
 * Converted ONNX models, made on first use and cached in the user's cache folder
 * (FACET_CACHE_DIR, else ~/.cache/facet on Linux, ~/Library/Caches/Facet on macOS,
 * %LOCALAPPDATA%\Facet\Cache on Windows), under onnx/<model>-<key>.onnx. The key is the sha256
 * of the model id, the converter version, the opset and the catalogued sha256 of every source
 * file, so new weights or a changed converter make a new file. The source weights are checked
 * against the catalog on every load, cache hit or not; each cached file carries its own sha256
 * beside it, and a file that no longer matches is converted again.
 *
 * int8 graphs (quantize.ts) are cached the same way, as onnx/<model>-int8-<key>.onnx, where the key
 * adds the quantizer version and the calibration table (calibration.ts: its set, count, method and
 * ranges) to the float graph's.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogEntry } from '../catalog.ts';
import { readVerified, sha256 } from '../locate.ts';
import { convertBlazefaceBack } from './blazefaceOnnx.ts';
import { convertDlibResnet } from './dlibResnetOnnx.ts';
import { calibrationKeySource, rangesOf, readCalibrationTable } from './calibration.ts';
import { convertLandmark68 } from './landmark68Onnx.ts';
import { ONNX_OPSET, type OnnxGraph } from './onnxGraph.ts';
import { foldConvAffine, INT8_MODEL_IDS, quantizeGraph, type Precision } from './quantize.ts';
import { convertSsdMobilenetV1 } from './ssdMobilenetV1Onnx.ts';

/** Bump when every converter's output changes (one model's own change: CONVERTER_REVISIONS). */
export const CONVERTER_VERSION = 1;
/**
 * A converter's own revision, where its graph changed alone: bumping CONVERTER_VERSION would also change the keys of
 * the other models' float graphs, which the int8 calibration tables name (calibration.ts), and so stale them all.
 * blazeface-back 2: the stride-2 stage runs in row bands (BLAZEFACE_STRIDE2_BANDS), the same numbers faster.
 */
const CONVERTER_REVISIONS: Readonly<Record<string, number>> = { 'blazeface-back': 2 };

const CONVERTERS: Record<string, () => OnnxGraph> = {
  'dlib-resnet': () => convertDlibResnet(),
  'ssd-mobilenetv1': () => convertSsdMobilenetV1(),
  landmark68: () => convertLandmark68(),
  'blazeface-back': () => convertBlazefaceBack(),
};

export const ONNX_MODEL_IDS: readonly string[] = Object.keys(CONVERTERS);

export function hasOnnxConverter(modelId: string): boolean {
  return modelId in CONVERTERS;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (env.FACET_CACHE_DIR) return path.resolve(env.FACET_CACHE_DIR);
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'Facet');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'Facet', 'Cache');
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache'), 'facet');
}

export interface ConvertedModel {
  modelId: string;
  precision: Precision;
  /** The serialised ModelProto. */
  bytes: Uint8Array;
  path: string;
  /** True when this call converted it (a cache miss). */
  converted: boolean;
  convertMs: number;
}

const keyOf = (source: object) => sha256(new TextEncoder().encode(JSON.stringify(source))).slice(0, 16);

/**
 * The cache key of a model: changes with its weights, the converter and the opset; for int8 also with
 * the quantizer and the calibration table (which throws a CalibrationTableError if it is missing or stale).
 */
export function conversionKey(modelId: string, precision: Precision = 'fp32'): string {
  const entry = catalogEntry(modelId);
  const revision = CONVERTER_REVISIONS[modelId];
  const source = { modelId, converter: CONVERTER_VERSION, ...(revision === undefined ? {} : { revision }), opset: ONNX_OPSET, files: entry.files.map((file) => file.sha256) };
  if (precision === 'fp32') return keyOf(source);
  return keyOf({ ...source, precision, calibration: calibrationKeySource(readCalibrationTable(modelId, keyOf(source))) });
}

/** The float graph of a model, as converted (no cache). */
export function convertModel(modelId: string): OnnxGraph {
  const convert = CONVERTERS[modelId];
  if (!convert) throw new Error(`no ONNX converter for model "${modelId}": converters exist for ${ONNX_MODEL_IDS.join(', ')}`);
  return convert();
}

/** The int8 graph of a model: the float graph folded (quantize.ts), then quantized at its shipped table's ranges. */
function quantizeModel(modelId: string): OnnxGraph {
  if (!INT8_MODEL_IDS.includes(modelId)) throw new Error(`no int8 form of model "${modelId}": int8 exists for ${INT8_MODEL_IDS.join(', ')}`);
  const table = readCalibrationTable(modelId, conversionKey(modelId));
  return quantizeGraph(foldConvAffine(convertModel(modelId)), rangesOf(table));
}

/** The ONNX form of a catalogued model at a precision, from the cache or converted now (and cached). */
export function loadConvertedModel(modelId: string, cacheDir = defaultCacheDir(), precision: Precision = 'fp32'): ConvertedModel {
  if (!CONVERTERS[modelId]) throw new Error(`no ONNX converter for model "${modelId}": converters exist for ${ONNX_MODEL_IDS.join(', ')}`);
  if (precision !== 'fp32' && !INT8_MODEL_IDS.includes(modelId)) throw new Error(`no ${precision} form of model "${modelId}": int8 exists for ${INT8_MODEL_IDS.join(', ')}`);
  const entry = catalogEntry(modelId);
  for (const file of entry.files) readVerified(entry.package, file.path, file.sha256); // throws ModelFileError naming the file
  const folder = path.join(cacheDir, 'onnx');
  const stem = precision === 'fp32' ? modelId : `${modelId}-${precision}`;
  const file = path.join(folder, `${stem}-${conversionKey(modelId, precision)}.onnx`);
  const cached = readIfIntact(file);
  if (cached) return { modelId, precision, bytes: cached, path: file, converted: false, convertMs: 0 };

  const started = performance.now();
  const graph = precision === 'fp32' ? convertModel(modelId) : quantizeModel(modelId);
  const bytes = graph.encode({ name: 'facet', version: String(CONVERTER_VERSION) }, {
    source: `${entry.package}@${entry.version}`, model: modelId, ...(precision === 'fp32' ? {} : { precision }),
  });
  const convertMs = performance.now() - started;
  mkdirSync(folder, { recursive: true });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, bytes);
  commitWithChecksum(temporary, file, bytes);
  return { modelId, precision, bytes, path: file, converted: true, convertMs };
}

/**
 * Puts a cache file written at `temporary` in place: renamed onto `file` (a reader never sees half a file), then its
 * checksum beside it, last, so that readIfIntact takes it only once both are there.
 */
export function commitWithChecksum(temporary: string, file: string, bytes: Uint8Array): void {
  renameSync(temporary, file);
  writeFileSync(`${file}.sha256`, sha256(bytes));
}

/** A cache file's bytes, if it and its checksum are there and agree; undefined otherwise (missing, half written, damaged). */
export function readIfIntact(file: string): Uint8Array | undefined {
  if (!existsSync(file) || !existsSync(`${file}.sha256`)) return undefined;
  const bytes = readFileSync(file);
  const expected = readFileSync(`${file}.sha256`, 'utf8').trim();
  return sha256(bytes) === expected ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
}
