/**
 * Runs the graph stage's heavy steps (see ../stage.ts) on worker threads. Tasks are handed out
 * through a shared counter; results do not depend on the number of threads (each task owns its
 * output rows, and edge order does not affect the merging). The only part of clustering that
 * touches node:worker_threads; the pure core never imports this folder.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EdgeList, epsilonTaskCount, type EpsilonJob } from '../exact/epsilonGraph.ts';
import type { KnnJob } from '../approximate/knnSearch.ts';
import type { Memory, Stage, Step, StepResult } from '../stage.ts';

export const sharedMemory: Memory = {
  int32: (length) => new Int32Array(new SharedArrayBuffer(4 * length)),
  float32: (length) => new Float32Array(new SharedArrayBuffer(4 * length)),
};

/** Drives a stage with its heavy steps on `threads` worker threads. */
export async function runOnWorkers<T>(stage: Stage<T>, threads: number): Promise<T> {
  const workers = Array.from({ length: threads }, startWorker);
  try {
    for (let next = stage.next(null); ; ) {
      if (next.done) return next.value;
      next = stage.next(await runStepOnWorkers(next.value, workers));
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Messages to graphWorker.ts. */
export type WorkerRequest =
  | { kind: 'epsilon'; job: EpsilonJob; next: Int32Array; edgeTotal: Int32Array; maxEdges: number }
  | { kind: 'knn'; job: KnnJob; next: Int32Array };

export type WorkerReply =
  | { kind: 'epsilon'; pairs: Int32Array; distances: Float64Array | null; count: number; overBudget: boolean }
  | { kind: 'knn' }
  | { kind: 'error'; message: string };

async function runStepOnWorkers(step: Step, workers: Worker[]): Promise<StepResult> {
  const next = sharedMemory.int32(1);
  const total = step.kind === 'knn' ? step.job.leaves : epsilonTaskCount(step.job.n);
  const request: WorkerRequest =
    step.kind === 'knn'
      ? { kind: 'knn', job: step.job, next }
      : { kind: 'epsilon', job: step.job, next, edgeTotal: sharedMemory.int32(1), maxEdges: step.maxEdges };
  const timer = setInterval(() => step.onTask(Math.min(total, Atomics.load(next, 0)), total), 250);
  let replies: WorkerReply[];
  try {
    replies = await Promise.all(workers.map((worker) => ask(worker, request)));
  } finally {
    clearInterval(timer);
  }
  step.onTask(total, total);
  if (step.kind === 'knn') return null;
  const lists: EdgeList[] = [];
  for (const reply of replies) {
    if (reply.kind !== 'epsilon' || reply.overBudget) return null;
    const list = new EdgeList(step.job.withDistances);
    list.pairs = reply.pairs;
    list.distances = reply.distances;
    list.count = reply.count;
    lists.push(list);
  }
  return lists;
}

function ask(worker: Worker, request: WorkerRequest): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      worker.off('error', onError);
      if (reply.kind === 'error') reject(new Error(`cluster worker: ${reply.message}`));
      else resolve(reply);
    };
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      reject(error);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(request);
  });
}

/** From TypeScript sources (tsx), a worker registers tsx's loader before loading its entry. */
function startWorker(): Worker {
  const entry = new URL(`./graphWorker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true });
}

/** Threads for the graph stage: none below ~10k faces (start-up costs more than it saves). */
export function defaultThreads(faces: number): number {
  return faces < 10_000 ? 0 : Math.min(availableParallelism(), 4);
}
