/**
 * `facet bench scan`: a real first scan (decode, detect, align, embed, thumbnails, SQLite) of a generated
 * library of N photos (links to LFW images), once per worker count, side by side in one run. Reports
 * photos/s and faces/s per worker count and the speed-up over one worker, the process's peak resident
 * memory (worker threads included), and memory sampled at each quarter of the scan, which stays flat
 * when nothing leaks.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DETECTOR, DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import { AnalysisPool } from '../faces/analysisPool.ts';
import { scanLibrary } from '../people/libraryScan.ts';
import { openStore } from '../store/index.ts';
import type { PrecisionMode } from '../embed/precision.ts';
import { BenchDataMissingError, LFW_IMAGES, buildLibrary, sourceImages } from './benchRescan.ts';

export interface BenchScanOptions {
  files: number;
  /** Worker counts to compare, each a full scan into a fresh database. Default [1, 2]. */
  workers?: number[];
  source?: string;
  backend?: string;
  /** The onnx networks' precision (default: FACET_PRECISION, else DEFAULT_PRECISION). */
  precision?: PrecisionMode;
  log?: (line: string) => void;
}

export interface BenchScanRun {
  workers: number;
  photos: number;
  faces: number;
  seconds: number;
  /** Starting the workers and loading the models, not counted in the rates. */
  loadSeconds: number;
  photosPerSecond: number;
  facesPerSecond: number;
  /** Resident memory (MB) when 25, 50, 75 and 100% of the photos were analysed. */
  rssAtQuarters: number[];
  peakMB: number;
  /** CPU time of the whole process (all threads) over wall time, in cores, while photos were analysed. */
  cpuCores: number;
  failed: number;
}

export interface BenchScanResult {
  files: number;
  backend: string;
  runs: BenchScanRun[];
  /** Throughput of the most workers over one worker, where both ran. */
  speedup: number | null;
  /** The peak resident memory of the whole benchmark process. */
  peakMB: number;
  machine: string;
}

const mb = (bytes: number) => bytes / (1024 * 1024);

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores available, ${Math.round(mb(os.totalmem()) / 1024)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

export async function benchScan(options: BenchScanOptions): Promise<BenchScanResult> {
  const log = options.log ?? (() => {});
  const source = options.source ?? LFW_IMAGES;
  if (!existsSync(source)) throw new BenchDataMissingError(source);
  const images = sourceImages(source);
  const work = mkdtempSync(path.join(os.tmpdir(), 'facet-bench-scan-'));
  const root = path.join(work, 'library');
  try {
    buildLibrary(root, images, options.files, 200);
    const runs: BenchScanRun[] = [];
    let backend = '';
    for (const workers of options.workers ?? [1, 2]) {
      const store = openStore(path.join(work, `facet-${workers}.db`));
      try {
        const quarters: number[] = [];
        let runPeak = 0;
        const runSampler = setInterval(() => { runPeak = Math.max(runPeak, process.memoryUsage().rss); }, 200);
        log(`scanning ${options.files} photos with ${workers} worker(s)`);
        const started = performance.now();
        let loadSeconds = 0;
        let cpuAtStart = process.cpuUsage();
        const report = await scanLibrary({
          store, roots: [root], detectorId: DEFAULT_DETECTOR, embedderId: DEFAULT_EMBEDDER,
          createPool: async () => {
            const loading = performance.now();
            const pool = await AnalysisPool.create({ workers, pipeline: { backend: options.backend, precision: options.precision } });
            loadSeconds = (performance.now() - loading) / 1000;
            cpuAtStart = process.cpuUsage();
            backend = pool.backend;
            return pool;
          },
          onProgress: (event) => {
            if (event.stage !== 'analyse' || event.total === 0) return;
            if (event.done >= ((quarters.length + 1) / 4) * event.total) {
              quarters.push(Math.round(mb(process.memoryUsage().rss)));
              log(`  ${event.done}/${event.total} photos, ${quarters.at(-1)} MB resident`);
            }
          },
        });
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuAtStart);
        clearInterval(runSampler);
        const working = seconds - loadSeconds;
        runs.push({
          workers, photos: report.analysed, faces: report.faces, seconds, loadSeconds,
          photosPerSecond: report.analysed / working, facesPerSecond: report.faces / working,
          rssAtQuarters: quarters, cpuCores: (cpu.user + cpu.system) / 1e6 / (seconds - loadSeconds), peakMB: Math.round(mb(Math.max(runPeak, process.memoryUsage().rss))), failed: report.failed.length,
        });
      } finally {
        store.close();
      }
    }
    const one = runs.find((run) => run.workers === 1);
    const most = runs.reduce((best, run) => (run.workers > best.workers ? run : best), runs[0]!);
    return {
      files: options.files, backend, runs,
      speedup: one && most !== one ? most.photosPerSecond / one.photosPerSecond : null,
      peakMB: Math.round(Math.max(...runs.map((run) => run.peakMB), process.resourceUsage().maxRSS / 1024)),
      machine: machineDescription(),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
