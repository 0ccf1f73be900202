/**
 * The graph stage's heavy steps (epsilon row blocks, kNN leaves) as values: the stage itself
 * is a generator (buildGraph.ts) that yields each heavy step, so one pipeline serves both the
 * synchronous entry point (runInThread, here) and the worker-thread one (parallel/taskRunner.ts).
 * Results do not depend on who runs the steps (each task owns its output rows, and edge order
 * does not affect the merging).
 */
import { EdgeList, epsilonTaskCount, runEpsilonTask, type EpsilonJob } from './exact/epsilonGraph.ts';
import { runKnnTask, type KnnJob } from './approximate/knnSearch.ts';

export type OnTask = (done: number, total: number) => void;

/** A heavy step the graph stage asks for. */
export type Step =
  | { kind: 'epsilon'; job: EpsilonJob; maxEdges: number; onTask: OnTask }
  | { kind: 'knn'; job: KnnJob; onTask: OnTask };

/** epsilon: edge lists, or null when over maxEdges; knn: rows written into the job. */
export type StepResult = EdgeList[] | null;

/** Typed arrays the steps write into: plain memory here, shared memory for worker threads. */
export interface Memory {
  int32(length: number): Int32Array;
  float32(length: number): Float32Array;
}

export const plainMemory: Memory = {
  int32: (length) => new Int32Array(length),
  float32: (length) => new Float32Array(length),
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
