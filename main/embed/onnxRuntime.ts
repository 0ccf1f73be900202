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
  /** Whether this load had to convert the model (first use), and how long that took. */
  converted: boolean;
  convertMs: number;
}

/** A session over the cached (or freshly converted) ONNX form of a catalogued model. */
export async function openOnnxModel(modelId: string, options: { threads?: number; executionProviders?: string[] } = {}): Promise<OnnxModel> {
  const runtime = await loadOnnxRuntime();
  if (runtime instanceof Error) throw runtime;
  const model = loadConvertedModel(modelId);
  const threads = options.threads ?? onnxThreads();
  const session = await runtime.InferenceSession.create(model.bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    executionProviders: options.executionProviders ?? ['cpu'],
    logSeverityLevel: 3, // errors only: failures come back as rejected promises anyway
  });
  return { runtime, session, converted: model.converted, convertMs: model.convertMs };
}
