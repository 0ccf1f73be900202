/**
 * Runs photo analysis on a pool of worker threads, one FacePipeline each, so that every core works
 * (tfjs's wasm backend is single-threaded per instance). With workers = 0, or on the native
 * tfjs-node backends (which use all cores themselves), analysis runs in this thread.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DecodeOptions } from '../library/decode.ts';
import { analyseFile, embedFileAt, embedFileInBox, type FileAnalysis } from './analyseFile.ts';
import type { Box, Point } from '../core/types.ts';
import { FacePipeline, type PipelineOptions } from './pipeline.ts';
import type { NetworkPrecisions } from '../embed/precision.ts';

export interface PoolOptions {
  pipeline?: PipelineOptions;
  decode?: DecodeOptions;
  /** Worker threads; default: one per core. 0 runs in this thread. */
  workers?: number;
  /**
   * 'low' lowers each worker thread's scheduling priority (nice 10 on Linux and macOS, below normal on
   * Windows), so that a scan in the app leaves the machine usable; default 'normal'.
   */
  priority?: 'normal' | 'low';
}

/**
 * Analysis workers for a scan that must leave the machine usable: `limit` cores when the user set one,
 * else all cores but one on machines with 4 or more, else all of them.
 */
export function backgroundWorkerCount(cores = os.availableParallelism(), limit?: number): number {
  if (limit !== undefined) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`core limit must be a whole number >= 1, got ${limit}`);
    return Math.min(limit, cores);
  }
  return cores >= 4 ? cores - 1 : Math.max(1, cores);
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

export function defaultWorkerCount(): number {
  return Math.max(1, os.availableParallelism());
}

export class AnalysisPool {
  private readonly waiting: Array<{ file: string; landmarks?: readonly Point[]; timeSeconds?: number; box?: Box; resolve: (result: FileAnalysis) => void; reject: (error: Error) => void }> = [];
  private readonly pending = new Map<number, (result: FileAnalysis) => void>();
  private nextId = 0;

  private constructor(
    private readonly slots: Slot[],
    private readonly local: FacePipeline | undefined,
    private readonly decode: DecodeOptions,
    readonly backend: string,
    readonly detector: string,
    readonly embedder: string,
    /** What the workers' detector and embedder run in (FacePipeline.precisions). */
    readonly precisions: NetworkPrecisions,
  ) {}

  get workers(): number {
    return this.slots.length;
  }

  static async create(options: PoolOptions = {}): Promise<AnalysisPool> {
    const decode = options.decode ?? {};
    const pipelineOptions = options.pipeline ?? {};
    const requested = options.workers ?? defaultWorkerCount();
    if (requested === 0 || /^(tensorflow|tfjs-node|gpu|node)/.test(pipelineOptions.backend ?? process.env.FACET_BACKEND ?? '')) {
      const pipeline = await FacePipeline.create(pipelineOptions);
      return new AnalysisPool([], pipeline, decode, pipeline.backend, pipeline.detector.id, pipeline.embedder.id, pipeline.precisions);
    }
    const starts = Array.from({ length: requested }, () => startWorker(pipelineOptions, decode, options.priority ?? 'normal'));
    const started = await Promise.allSettled(starts);
    const failure = started.find((s) => s.status === 'rejected');
    if (failure) {
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.slot.worker.terminate() : undefined)));
      throw (failure as PromiseRejectedResult).reason as Error;
    }
    const ready = started.map((s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof startWorker>>>).value);
    const info = ready[0]!.info;
    // tfjs-node found inside a worker: it uses every core itself, so one process with bigger batches is better.
    if (info.backend.startsWith('tensorflow')) {
      await Promise.all(ready.map((r) => r.slot.worker.terminate()));
      const pipeline = await FacePipeline.create(pipelineOptions);
      return new AnalysisPool([], pipeline, decode, pipeline.backend, pipeline.detector.id, pipeline.embedder.id, pipeline.precisions);
    }
    const pool = new AnalysisPool(ready.map((r) => r.slot), undefined, decode, info.backend, info.detector, info.embedder, info.precisions);
    for (const slot of pool.slots) {
      slot.worker.on('message', (message: { id: number; result: FileAnalysis }) => {
        const resolve = pool.pending.get(message.id);
        pool.pending.delete(message.id);
        slot.busy = false;
        resolve?.(message.result);
        pool.dispatch();
      });
      slot.worker.on('error', (error) => pool.failAll(error));
    }
    return pool;
  }

  analyse(file: string): Promise<FileAnalysis> {
    if (this.local) return analyseFile(this.local, file, this.decode);
    return new Promise((resolve, reject) => {
      this.waiting.push({ file, resolve, reject });
      this.dispatch();
    });
  }

  /** Embeds the face at known landmarks (original pixels), without detection; a video's, in its frame at timeSeconds. */
  embedAt(file: string, landmarks: readonly Point[], timeSeconds?: number): Promise<FileAnalysis> {
    if (this.local) return embedFileAt(this.local, file, landmarks, this.decode, timeSeconds);
    return new Promise((resolve, reject) => {
      this.waiting.push({ file, landmarks, timeSeconds, resolve, reject });
      this.dispatch();
    });
  }

  /** Finds landmarks inside a box (original pixels) and embeds that face: for faces the detector missed. */
  embedInBox(file: string, box: Box): Promise<FileAnalysis> {
    if (this.local) return embedFileInBox(this.local, file, box, this.decode);
    return new Promise((resolve, reject) => {
      this.waiting.push({ file, box, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.waiting.length === 0) continue;
      const job = this.waiting.shift()!;
      const id = this.nextId++;
      slot.busy = true;
      this.pending.set(id, job.resolve);
      slot.worker.postMessage({ id, file: job.file, landmarks: job.landmarks, timeSeconds: job.timeSeconds, box: job.box });
    }
  }

  private failAll(error: Error): void {
    for (const job of this.waiting.splice(0)) job.reject(error);
  }

  async close(): Promise<void> {
    this.local?.dispose();
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}

/** What a worker reports once its pipeline is loaded. */
interface WorkerInfo {
  backend: string;
  detector: string;
  embedder: string;
  precisions: NetworkPrecisions;
}

function startWorker(pipeline: PipelineOptions, decode: DecodeOptions, priority: 'normal' | 'low'): Promise<{ slot: Slot; info: WorkerInfo }> {
  const worker = new Worker(new URL('../workers/tsEntry.mjs', import.meta.url), {
    workerData: { entry: new URL('./analysisWorker.ts', import.meta.url).href, pipeline, decode, priority },
  });
  return new Promise((resolve, reject) => {
    const onMessage = (message: { ready?: boolean; failed?: string } & WorkerInfo) => {
      worker.off('message', onMessage);
      if (message.failed) {
        void worker.terminate();
        reject(new Error(`analysis worker failed to start: ${message.failed}`));
      } else {
        resolve({ slot: { worker, busy: false }, info: message });
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

/** What a library scan needs of an AnalysisPool (benchmarks and tests pass stand-ins); embedInBox describes imported faces, embedAt re-embeds stored ones. */
export type PhotoAnalyser = Pick<AnalysisPool, 'workers' | 'analyse' | 'close'> & Partial<Pick<AnalysisPool, 'embedInBox' | 'embedAt'>>;
