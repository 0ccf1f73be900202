/**
 * clusterFaces with the graph stage (the costly part) on worker threads: same plan, same
 * merging, same result as the single-thread entry point in ../clusterFaces.ts.
 */
import { completeClustering } from '../clusterFaces.ts';
import { graphStage } from '../buildGraph.ts';
import { planClustering } from '../plan.ts';
import { plainMemory, runInThread } from '../stage.ts';
import type { ClusterInput, ClusterResult } from '../types.ts';
import { defaultThreads, runOnWorkers, sharedMemory } from './taskRunner.ts';

export interface ParallelOptions {
  /**
   * Worker threads for the graph stage; 0 = the calling thread only.
   * Default: none below 10,000 faces, else up to 4 (as many as there are cores).
   */
  threads?: number;
}

/** Same result as clusterFaces, with the graph stage on worker threads. */
export async function clusterFacesParallel(input: ClusterInput, options: ParallelOptions = {}): Promise<ClusterResult> {
  const started = performance.now();
  const plan = planClustering(input);
  const threads = options.threads ?? defaultThreads(plan.m);
  const built =
    threads > 0
      ? await runOnWorkers(graphStage(plan, sharedMemory), threads)
      : runInThread(graphStage(plan, plainMemory));
  return completeClustering(plan, built, started);
}
