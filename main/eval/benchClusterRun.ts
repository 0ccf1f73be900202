/**
 * One benchmark measurement in a process of its own, so its peak memory is its own:
 * synthesises the faces, runs one implementation, prints one JSON line.
 * Usage: node --import tsx main/eval/benchClusterRun.ts '<BenchRunRequest JSON>'
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { agnes } from 'ml-hclust';
import { clusterFacesParallel } from '../cluster/parallel/clusterFacesParallel.ts';
import { bcubedScores } from '../metrics/clusterMetrics.ts';
import { synthesizeFaces } from '../cluster/syntheticFaces.ts';

export interface BenchRunRequest {
  implementation: 'facet' | 'ml-hclust';
  faces: number;
  seed: number;
  threshold: number;
  /** Worker threads; undefined = our default (none below 10k faces). */
  threads?: number;
  mode: 'auto' | 'exact' | 'approximate';
  /** Raw float32 file of base vectors [*, 128], optional. */
  basePath?: string;
  /** Where to write the labels (raw int32), for comparing partitions. */
  labelsPath?: string;
}

export interface BenchRunResult {
  seconds: number;
  /** Peak resident memory of the whole process (data included), MB. */
  peakMB: number;
  /** Resident memory once the data was synthesised, MB. */
  dataMB: number;
  clusters: number;
  /** Clusters of at least 3 faces. */
  people: number;
  method: string;
  approximate: boolean;
  bcubedVsTruth: number;
}

async function main(request: BenchRunRequest): Promise<BenchRunResult> {
  const dim = 128;
  const baseVectors = request.basePath ? new Float32Array(readFileSync(request.basePath).buffer.slice(0)) : undefined;
  const data = synthesizeFaces({ faces: request.faces, seed: request.seed, baseVectors, dim });
  const dataMB = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  let labels: Int32Array;
  let method = 'ml-hclust agnes average';
  let approximate = false;
  if (request.implementation === 'facet') {
    const result = await clusterFacesParallel(
      { vectors: data.vectors, dim, threshold: request.threshold, minClusterSize: 1, mode: request.mode },
      request.threads === undefined ? {} : { threads: request.threads },
    );
    labels = result.labels;
    method = result.method;
    approximate = result.approximate;
  } else {
    labels = peerLabels(data.vectors, data.n, dim, request.threshold);
  }
  const seconds = (performance.now() - started) / 1000;
  if (request.labelsPath) writeFileSync(request.labelsPath, new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
  const sizes = new Map<number, number>();
  for (const label of labels) sizes.set(label, (sizes.get(label) ?? 0) + 1);
  return {
    seconds,
    peakMB: process.resourceUsage().maxRSS / 1024,
    dataMB,
    clusters: sizes.size,
    people: [...sizes.values()].filter((size) => size >= 3).length,
    method,
    approximate,
    bcubedVsTruth: bcubedScores(data.identity, labels).f1,
  };
}

/** ml-hclust needs the full distance matrix (squared L2, as ours) and builds the whole tree. */
function peerLabels(vectors: Float32Array, n: number, dim: number, threshold: number): Int32Array {
  const matrix: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n);
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += vectors[i * dim + d] * vectors[j * dim + d];
      row[j] = i === j ? 0 : 2 - 2 * dot;
    }
    matrix.push(row);
  }
  const tree = agnes(matrix, { method: 'average', isDistanceMatrix: true });
  const labels = new Int32Array(n);
  tree.cut(threshold).forEach((cluster, label) => {
    for (const face of cluster.indices()) labels[face] = label;
  });
  return labels;
}

main(JSON.parse(process.argv[2] ?? '{}') as BenchRunRequest).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
