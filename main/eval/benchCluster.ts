/**
 * Clustering benchmark: synthetic library-shaped embeddings (see syntheticFaces.ts, optionally
 * centred on real base vectors), our clustering side by side with ml-hclust (agnes, average
 * linkage) where the peer can run: it needs the full n×n distance matrix and rebuilds it at
 * every merge, so it stops at peerMaxFaces. Each measurement runs in a child process so that
 * its peak memory (maxRSS) is its own.
 *
 * Runs only on command:
 *   node --import tsx main/eval/benchCluster.ts --faces 2000,20000,100000 [--json]
 *        [--threads 2] [--threshold 1.0] [--peer-max 2000] [--base vectors.f32] [--mode auto]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bcubedScores } from '../metrics/clusterMetrics.ts';
import type { BenchRunRequest, BenchRunResult } from './benchClusterRun.ts';

export interface BenchClusterOptions {
  /** Library sizes to run. */
  faces: number | number[];
  /** Print JSON (one object per size) instead of a table. */
  json?: boolean;
  /** Real embeddings [*, 128] to centre identities on. */
  baseVectors?: Float32Array;
  /** Squared-L2 threshold. Default 1.0. */
  threshold?: number;
  seed?: number;
  /** Worker threads for our graph stage. Default: none below 10k faces, else up to 4. */
  threads?: number;
  mode?: 'auto' | 'exact' | 'approximate';
  /** Largest size the peer is run at. Default 2,000. */
  peerMaxFaces?: number;
  /** Per-measurement limit. Default 1,200 s. */
  timeoutSeconds?: number;
  /** Where lines go. Default console.log. */
  print?: (line: string) => void;
}

export interface BenchClusterRow {
  faces: number;
  seconds: number;
  peakMB: number;
  method: string;
  approximate: boolean;
  clusters: number;
  people: number;
  bcubedVsTruth: number;
  peer: string | null;
  peerSeconds: number | null;
  peerPeakMB: number | null;
  /** peerSeconds / seconds: how many times faster we are. */
  ratio: number | null;
  /** Same partition as the peer at the same threshold (BCubed F = 1). */
  samePartition: boolean | null;
  /** BCubed F of our partition against the peer's. */
  bcubedVsPeer: number | null;
}

const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'benchClusterRun.ts');

export async function benchCluster(options: BenchClusterOptions): Promise<BenchClusterRow[]> {
  const sizes = Array.isArray(options.faces) ? options.faces : [options.faces];
  const print = options.print ?? ((line: string) => console.log(line));
  const work = mkdtempSync(path.join(tmpdir(), 'facet-bench-'));
  const rows: BenchClusterRow[] = [];
  try {
    let basePath: string | undefined;
    if (options.baseVectors) {
      basePath = path.join(work, 'base.f32');
      writeFileSync(basePath, new Uint8Array(options.baseVectors.buffer, options.baseVectors.byteOffset, options.baseVectors.byteLength));
    }
    if (!options.json) print('faces     seconds  peakMB  method            BCubed(truth)  peer s    peer MB  ratio   same');
    for (const faces of sizes) {
      const request: BenchRunRequest = {
        implementation: 'facet',
        faces,
        seed: options.seed ?? 1,
        threshold: options.threshold ?? 1.0,
        threads: options.threads,
        mode: options.mode ?? 'auto',
        basePath,
        labelsPath: path.join(work, `facet-${faces}.i32`),
      };
      const ours = measure(request, options.timeoutSeconds ?? 1200);
      const row: BenchClusterRow = {
        faces,
        ...pick(ours),
        peer: null,
        peerSeconds: null,
        peerPeakMB: null,
        ratio: null,
        samePartition: null,
        bcubedVsPeer: null,
      };
      if (faces <= (options.peerMaxFaces ?? 2000)) {
        const peerRequest = { ...request, implementation: 'ml-hclust' as const, labelsPath: path.join(work, `peer-${faces}.i32`) };
        const peer = measure(peerRequest, options.timeoutSeconds ?? 1200);
        const score = bcubedScores(readLabels(request.labelsPath!), readLabels(peerRequest.labelsPath)).f1;
        Object.assign(row, {
          peer: 'ml-hclust',
          peerSeconds: peer.seconds,
          peerPeakMB: peer.peakMB,
          ratio: peer.seconds / ours.seconds,
          samePartition: score === 1,
          bcubedVsPeer: score,
        });
      }
      rows.push(row);
      print(options.json ? JSON.stringify(row) : formatRow(row));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

function measure(request: BenchRunRequest, timeoutSeconds: number): BenchRunResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', runner, JSON.stringify(request)], {
    encoding: 'utf8',
    timeout: timeoutSeconds * 1000,
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) {
    const why = child.error ? child.error.message : child.stderr.trim().split('\n').slice(-5).join('\n');
    throw new Error(`${request.implementation} at ${request.faces} faces failed: ${why}`);
  }
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as BenchRunResult;
}

function pick(result: BenchRunResult) {
  const { seconds, peakMB, method, approximate, clusters, people, bcubedVsTruth } = result;
  return { seconds, peakMB, method, approximate, clusters, people, bcubedVsTruth };
}

function readLabels(file: string): Int32Array {
  const bytes = readFileSync(file);
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function formatRow(row: BenchClusterRow): string {
  const num = (x: number | null, digits: number) => (x === null ? '-' : x.toFixed(digits));
  return [
    String(row.faces).padEnd(9),
    num(row.seconds, 2).padStart(8),
    num(row.peakMB, 0).padStart(7),
    `  ${row.method}`.padEnd(20),
    num(row.bcubedVsTruth, 4).padStart(13),
    num(row.peerSeconds, 2).padStart(9),
    num(row.peerPeakMB, 0).padStart(8),
    num(row.ratio, 1).padStart(7),
    `  ${row.samePartition ?? '-'}`,
  ].join(' ');
}

function parseArgs(argv: string[]): BenchClusterOptions {
  const value = (name: string) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const base = value('base');
  return {
    faces: (value('faces') ?? '2000,20000').split(',').map(Number),
    json: argv.includes('--json'),
    threads: value('threads') === undefined ? undefined : Number(value('threads')),
    threshold: value('threshold') === undefined ? undefined : Number(value('threshold')),
    peerMaxFaces: value('peer-max') === undefined ? undefined : Number(value('peer-max')),
    mode: value('mode') as BenchClusterOptions['mode'],
    baseVectors: base ? new Float32Array(readFileSync(base).buffer.slice(0)) : undefined,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchCluster(parseArgs(process.argv.slice(2))).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
