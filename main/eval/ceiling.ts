/**
 * The machine's arithmetic ceiling for the benchmarks: the GFLOP/s of a large float32 matrix multiply
 * (2·n³ FLOPs) through the fastest backend at hand, onnxruntime (MLAS) with one thread per core when
 * it loads, else tfjs. Best of a few runs, so that a busy neighbour lowers it less.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { activeBackend, initBackend } from '../embed/backend.ts';
import { loadOnnxRuntime } from '../embed/onnxRuntime.ts';
import { DataType, OnnxGraph } from '../../native-models/onnx/onnxGraph.ts';

export interface Ceiling {
  /** All cores at once. */
  gflops: number;
  /** One core (one single-threaded session). */
  gflopsOneCore: number;
  backend: string;
  threads: number;
  size: number;
}

function randomMatrix(n: number): Float32Array {
  const m = new Float32Array(n * n);
  for (let i = 0; i < m.length; i++) m[i] = Math.random() - 0.5;
  return m;
}

/**
 * n×n times n×n on onnxruntime: `parallel` sessions of one thread each, run at once (as the analysis
 * pool runs one single-threaded pipeline per core; one session with several threads suffers more
 * from a busy neighbour, since its threads wait for each other). Null when onnxruntime does not load.
 */
export async function onnxMatmulGflops(n: number, parallel: number, runs = 4): Promise<number | null> {
  const ort = await loadOnnxRuntime();
  if (ort instanceof Error) return null;
  const g = new OnnxGraph('matmul');
  const a = g.input('a', DataType.FLOAT, [n, n]);
  g.output(g.node('MatMul', [a, g.floats('b', randomMatrix(n), [n, n])], {}, 'c'), DataType.FLOAT, [n, n]);
  const model = g.encode({ name: 'facet-bench', version: '1' });
  const sessions = await Promise.all(Array.from({ length: parallel }, () => ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 })));
  const feed = { a: new ort.Tensor('float32', randomMatrix(n), [n, n]) };
  const runAll = () => Promise.all(sessions.map((session) => session.run(feed)));
  await runAll(); // warm-up
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await runAll();
    best = Math.min(best, performance.now() - started);
  }
  await Promise.all(sessions.map((session) => session.release()));
  return (parallel * 2 * n ** 3) / (best / 1000) / 1e9;
}

/** The same on the active tfjs backend (wasm: one thread). */
export async function tfjsMatmulGflops(n: number, runs = 3): Promise<number> {
  const a = tf.tensor2d(randomMatrix(n), [n, n]);
  const b = tf.tensor2d(randomMatrix(n), [n, n]);
  let best = Infinity;
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    if (i > 0) best = Math.min(best, performance.now() - started);
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / (best / 1000) / 1e9;
}

/**
 * One single-threaded session per worker thread, all multiplying at once, as the analysis pool runs
 * its pipelines (sessions in one thread would share its event loop). The sum of their rates.
 */
export async function onnxMatmulGflopsOnWorkers(n: number, workers: number, runs = 6): Promise<number | null> {
  const started = Array.from({ length: workers }, () => new Worker(new URL('../workers/tsEntry.mjs', import.meta.url), {
    workerData: { entry: new URL('./ceilingWorker.ts', import.meta.url).href, n, runs },
  }));
  try {
    await Promise.all(started.map((worker) => new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    })));
    const rates = await Promise.all(started.map((worker) => new Promise<number | null>((resolve, reject) => {
      worker.once('message', (message: { gflops: number | null }) => resolve(message.gflops));
      worker.once('error', reject);
      worker.postMessage('go');
    })));
    return rates.some((rate) => rate === null) ? null : rates.reduce((sum: number, rate) => sum + rate!, 0);
  } finally {
    await Promise.all(started.map((worker) => worker.terminate()));
  }
}

/** All cores. */
export async function measureCeiling(n = 2048): Promise<Ceiling> {
  const threads = os.availableParallelism();
  const onnx = threads > 1 ? await onnxMatmulGflopsOnWorkers(n, threads) : await onnxMatmulGflops(n, 1);
  if (onnx !== null) {
    const oneCore = (await onnxMatmulGflops(n, 1))!;
    return { gflops: Math.max(onnx, oneCore), gflopsOneCore: oneCore, backend: 'onnxruntime (MLAS), one single-threaded session per core in its own worker thread', threads, size: n };
  }
  if (!activeBackend()) await initBackend();
  const gflops = await tfjsMatmulGflops(1024);
  return { gflops, gflopsOneCore: gflops, backend: `tfjs-${tf.getBackend()}`, threads: 1, size: 1024 };
}
