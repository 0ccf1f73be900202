/**
 * onnxruntime-node, loaded on demand: an optional dependency (its CPU binaries ship inside the npm
 * package; its install script, which would only fetch the CUDA provider, is denied in package.json's
 * allowScripts). When it is missing or fails to load, inference stays on TensorFlow.js.
 *
 * Threads: one intra-op thread per session by default (FACET_ORT_THREADS overrides), because the
 * analysis pool already runs one pipeline per core.
 */
import type * as Ort from 'onnxruntime-node';
import { loadConvertedModel } from '../../native-models/onnx/cache.ts';
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

/** A session over the cached (or freshly converted) ONNX form of a catalogued model. */
export async function openOnnxModel(modelId: string, options: OpenOnnxOptions = {}): Promise<OnnxModel> {
  const runtime = await loadOnnxRuntime();
  if (runtime instanceof Error) throw runtime;
  const precision = options.precision ?? 'fp32';
  const model = options.graph ? { bytes: options.graph, converted: false, convertMs: 0 } : loadConvertedModel(modelId, undefined, precision);
  const session = await createOnnxSession(runtime, model.bytes, options);
  return { runtime, session, precision, converted: model.converted, convertMs: model.convertMs };
}

/**
 * A session with Facet's settings. 'all' optimizations: besides fusing Conv with its activation, they
 * turn an int8 graph's DequantizeLinear → Conv → QuantizeLinear groups into QLinearConv (without them
 * the int8 graph would run in float, slower than the float graph).
 */
export async function createOnnxSession(runtime: OnnxRuntime, bytes: Uint8Array, options: Pick<OpenOnnxOptions, 'threads' | 'executionProviders'> & { optimizedModelFilePath?: string } = {}): Promise<OnnxSession> {
  return runtime.InferenceSession.create(bytes, {
    intraOpNumThreads: options.threads ?? onnxThreads(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // No memory pattern: it plans one block per input shape seen and keeps it, which on a scan of 12 MP photos
    // (crops batches of every size, mosaics) held ~170 MB more over 60 photos on two workers, at no measured speed.
    enableMemPattern: false,
    executionProviders: options.executionProviders ?? ['cpu'],
    logSeverityLevel: 3, // errors only: failures come back as rejected promises anyway
    ...(options.optimizedModelFilePath ? { optimizedModelFilePath: options.optimizedModelFilePath } : {}),
  });
}
