/**
 * Runs the graph stage's heavy steps (epsilon row blocks, kNN leaves) on the calling thread or
 * on worker threads. The stage itself is a generator (graphStage.ts) that yields each heavy
 * step, so one pipeline serves both the synchronous and the parallel entry points. Tasks are
 * handed out through a shared counter; results do not depend on the number of threads (each
 * task owns its output rows, and edge order does not affect the merging).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EdgeList, epsilonTaskCount, runEpsilonTask, type EpsilonJob } from '../exact/epsilonGraph.ts';
import { runKnnTask, type KnnJob } from '../approximate/knnSearch.ts';

export type OnTask = (done: number, total: number) => void;

/** A heavy step the graph stage asks for. */
export type Step =
  | { kind: 'epsilon'; job: EpsilonJob; maxEdges: number; onTask: OnTask }
  | { kind: 'knn'; job: KnnJob; onTask: OnTask };

/** epsilon: edge lists, or null when over maxEdges; knn: rows written into the job. */
export type StepResult = EdgeList[] | null;

/** Typed arrays the threads can share (plain memory on the calling thread). */
export interface Memory {
  int32(length: number): Int32Array;
  float32(length: number): Float32Array;
}

export const plainMemory: Memory = {
  int32: (length) => new Int32Array(length),
  float32: (length) => new Float32Array(length),
};

export const sharedMemory: Memory = {
  int32: (length) => new Int32Array(new SharedArrayBuffer(4 * length)),
  float32: (length) => new Float32Array(new SharedArrayBuffer(4 * length)),
};

export type Stage<T> = Generator<Step, T, StepResult>;

/** Drives a stage on the calling thread. */
export function runInThread<T>(stage: Stage<T>): T {
  for (let next = stage.next(null); ; ) {
    if (next.done) return next.value;
    next = stage.next(runStepInThread(next.value));
  }
}

function runStepInThread(step: Step): StepResult {
  if (step.kind === 'knn') {
    for (let leaf = 0; leaf < step.job.leaves; leaf++) {
      runKnnTask(step.job, leaf);
      step.onTask(leaf + 1, step.job.leaves);
    }
    return null;
  }
  const tasks = epsilonTaskCount(step.job.n);
  const edges = new EdgeList(step.job.withDistances);
  for (let task = 0; task < tasks; task++) {
    runEpsilonTask(step.job, task, edges);
    if (edges.count > step.maxEdges) return null;
    step.onTask(task + 1, tasks);
  }
  return [edges];
}

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
