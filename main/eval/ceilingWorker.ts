/**
 * Worker thread body for the ceiling: one single-threaded onnxruntime matmul session, run `runs`
 * times after a warm-up, started when the parent says go (so all workers multiply at the same time).
 * Posts its best GFLOP/s.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { onnxMatmulGflops } from './ceiling.ts';

const { n, runs } = workerData as { n: number; runs: number };
const port = parentPort!;
port.once('message', async () => {
  port.postMessage({ gflops: await onnxMatmulGflops(n, 1, runs) });
});
port.postMessage({ ready: true });
