/**
 * Worker-thread entry of the graph stage: takes tasks from the shared counter until none are
 * left, then replies (epsilon: its edge list, transferred; knn: its rows are already written).
 */
import { parentPort } from 'node:worker_threads';
import { EdgeList, epsilonTaskCount, runEpsilonTask } from '../exact/epsilonGraph.ts';
import { runKnnTask } from '../approximate/knnSearch.ts';
import type { WorkerReply, WorkerRequest } from './taskRunner.ts';

parentPort!.on('message', (request: WorkerRequest) => {
  try {
    parentPort!.postMessage(...handle(request));
  } catch (error) {
    const reply: WorkerReply = { kind: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) };
    parentPort!.postMessage(reply);
  }
});

function handle(request: WorkerRequest): [WorkerReply, ArrayBuffer[]] {
  if (request.kind === 'knn') {
    const { job, next } = request;
    for (let leaf = Atomics.add(next, 0, 1); leaf < job.leaves; leaf = Atomics.add(next, 0, 1)) runKnnTask(job, leaf);
    return [{ kind: 'knn' }, []];
  }
  const { job, next, edgeTotal, maxEdges } = request;
  const tasks = epsilonTaskCount(job.n);
  const edges = new EdgeList(job.withDistances);
  let overBudget = false;
  for (let task = Atomics.add(next, 0, 1); task < tasks; task = Atomics.add(next, 0, 1)) {
    const before = edges.count;
    runEpsilonTask(job, task, edges);
    if (Atomics.add(edgeTotal, 0, edges.count - before) + edges.count - before > maxEdges) {
      overBudget = true;
      Atomics.store(next, 0, tasks); // the others stop too
      break;
    }
  }
  const pairs = edges.pairs.slice(0, 2 * edges.count);
  const distances = edges.distances ? edges.distances.slice(0, edges.count) : null;
  const transfer = [pairs.buffer as ArrayBuffer, ...(distances ? [distances.buffer as ArrayBuffer] : [])];
  return [{ kind: 'epsilon', pairs, distances, count: edges.count, overBudget }, transfer];
}
