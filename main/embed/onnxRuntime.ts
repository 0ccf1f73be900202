/**
 * onnxruntime-node, loaded on demand: an optional dependency (its CPU binaries ship inside the npm
 * package; its install script, which would only fetch the CUDA provider, is denied in package.json's
 * allowScripts). When it is missing or fails to load, inference stays on TensorFlow.js.
 *
 * Threads: one intra-op thread per session by default (FACET_ORT_THREADS overrides), because the
 * analysis pool already runs one pipeline per core.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { commitWithChecksum, loadConvertedModel, readIfIntact, type ConvertedModel } from '../../native-models/onnx/cache.ts';
import type { Precision } from '../../native-models/onnx/quantize.ts';

export type OnnxRuntime = typeof Ort;
export type OnnxSession = Ort.InferenceSession;

let loading: Promise<OnnxRuntime | Error> | undefined;

/** The runtime, or the Error that says why it cannot load (never throws). */
export function loadOnnxRuntime(): Promise<OnnxRuntime | Error> {
  loading ??= import('onnxruntime-node').then(
    (module) => ((module as { default?: OnnxRuntime }).default ?? module) as OnnxRuntime,
    (error: unknown) => new Error(`onnxruntime-node could not be loaded: ${(error as Error).message}`),
  );
  return loading;
}

export function onnxThreads(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.FACET_ORT_THREADS ?? 1);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

export interface OnnxModel {
  runtime: OnnxRuntime;
  session: OnnxSession;
  precision: Precision;
  /** Whether this load had to convert the model (first use), and how long that took. */
  converted: boolean;
  convertMs: number;
}

export interface OpenOnnxOptions {
  threads?: number;
  executionProviders?: string[];
  /** 'int8': the quantized graph (native-models/onnx/quantize.ts), for the models that have one. Default 'fp32'. */
  precision?: Precision;
  /** A serialised graph to run instead of the cached one (calibration checks compare candidate int8 graphs). */
  graph?: Uint8Array;
}

/**
 * A session over the cached (or freshly converted) ONNX form of a catalogued model. The session runs the graph as
 * onnxruntime optimised it for this machine, cached beside the converted graph (see optimisedGraph): built from the
 * converted graph, a session keeps the original weights as well as their re-laid-out copies, about 50 MB more for
 * each of SSD and the embedder in every worker, at the same speed.
 */
export async function openOnnxModel(modelId: string, options: OpenOnnxOptions = {}): Promise<OnnxModel> {
  const runtime = await loadOnnxRuntime();
  if (runtime instanceof Error) throw runtime;
  const precision = options.precision ?? 'fp32';
  if (options.graph) {
    const session = await createOnnxSession(runtime, options.graph, options);
    return { runtime, session, precision, converted: false, convertMs: 0 };
  }
  const model = loadConvertedModel(modelId, undefined, precision);
  // The saved graph holds CPU-only kernels: another execution provider optimises the converted graph itself.
  const onCpu = (options.executionProviders ?? ['cpu']).every((provider) => provider === 'cpu');
  const optimised = onCpu ? await optimisedGraph(runtime, model) : undefined;
  const session = optimised
    ? await createOnnxSession(runtime, optimised, { ...options, alreadyOptimised: true })
    : await createOnnxSession(runtime, model.bytes, options);
  return { runtime, session, precision, converted: model.converted, convertMs: model.convertMs };
}

/**
 * What an optimised graph depends on besides the graph: onnxruntime's version and the CPU it re-laid the weights out
 * for. The model name alone is not enough: virtual machines often report one name for hosts with different vector
 * units, and the blocked layout's block size follows them (8 floats with AVX2, 16 with AVX-512), so on Linux the
 * CPU's feature flags count too.
 */
export function optimisationKey(runtime: OnnxRuntime): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return createHash('sha256').update(`${runtime.env.versions.common}|${process.platform}|${process.arch}|${cpu}|${cpuFlags()}`).digest('hex').slice(0, 12);
}

/** The first processor's feature flags from /proc/cpuinfo (Linux); empty elsewhere or when unreadable. */
function cpuFlags(): string {
  if (process.platform !== 'linux') return '';
  try {
    return /^flags\s*:\s*(.*)$/mu.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

/** Optimised graphs of `convertedPath` made for another onnxruntime or CPU (`keep` aside): left over after an upgrade. */
function staleOptimisedGraphs(convertedPath: string, keep: string): string[] {
  const folder = path.dirname(convertedPath);
  const prefix = `${path.basename(convertedPath).replace(/\.onnx$/u, '')}.ort-`;
  try {
    return readdirSync(folder)
      .filter((name) => name.startsWith(prefix) && !name.startsWith(path.basename(keep)) && !name.endsWith('.tmp.onnx'))
      .map((name) => path.join(folder, name));
  } catch {
    return [];
  }
}

/**
 * The converted graph as onnxruntime's 'all' optimisations leave it (fused, weights in the CPU's blocked layout),
 * saved once beside it as `<converted>.ort-<key>.onnx` with a checksum (as the converted graphs are cached:
 * native-models/onnx/cache.ts), and read back on later loads with optimisation off. Such a graph is only valid for
 * this onnxruntime on this kind of CPU, hence the key. A damaged or missing file is made again; two workers making
 * it at once each write their own temporary file, and the rename is atomic. Undefined where it cannot be written (a
 * read-only cache): the caller optimises in memory.
 */
export async function optimisedGraph(runtime: OnnxRuntime, converted: Pick<ConvertedModel, 'path' | 'bytes'>): Promise<string | undefined> {
  const file = converted.path.replace(/\.onnx$/u, `.ort-${optimisationKey(runtime)}.onnx`);
  if (readIfIntact(file)) return file;
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp.onnx`;
  try {
    const session = await createOnnxSession(runtime, converted.bytes, { optimizedModelFilePath: temporary });
    await session.release();
    commitWithChecksum(temporary, file, readFileSync(temporary));
    for (const stale of staleOptimisedGraphs(converted.path, file)) rmSync(stale, { force: true });
    return file;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code && ['EACCES', 'EPERM', 'EROFS', 'ENOSPC'].includes((error as NodeJS.ErrnoException).code!)) return undefined;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * A session with Facet's settings. 'all' optimizations: besides fusing Conv with its activation, they
 * turn an int8 graph's DequantizeLinear → Conv → QuantizeLinear groups into QLinearConv (without them
 * the int8 graph would run in float, slower than the float graph).
 */
export async function createOnnxSession(
  runtime: OnnxRuntime,
  graph: Uint8Array | string,
  options: Pick<OpenOnnxOptions, 'threads' | 'executionProviders'> & {
    optimizedModelFilePath?: string;
    /** The graph was saved by a session with these settings (optimisedGraph): run it as it is. */
    alreadyOptimised?: boolean;
  } = {},
): Promise<OnnxSession> {
  const settings: Ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.threads ?? onnxThreads(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: options.alreadyOptimised ? 'disabled' : 'all',
    // No memory pattern: it plans one block per input shape seen and keeps it, which on a scan of 12 MP photos
    // (crops batches of every size, mosaics) held ~170 MB more over 60 photos on two workers, at no measured speed.
    enableMemPattern: false,
    executionProviders: options.executionProviders ?? ['cpu'],
    logSeverityLevel: 3, // errors only: failures come back as rejected promises anyway
    ...(options.optimizedModelFilePath ? { optimizedModelFilePath: options.optimizedModelFilePath } : {}),
  };
  // A path lets onnxruntime read the file itself (no copy of the bytes held in JavaScript meanwhile).
  return typeof graph === 'string' ? runtime.InferenceSession.create(graph, settings) : runtime.InferenceSession.create(graph, settings);
}
