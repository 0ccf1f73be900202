/**
 * `facet bench pipeline`: photos through the whole face pipeline (decode → detect → align → embed →
 * thumbnails) on the analysis pool, as a real scan into a real SQLite file (listing, hashing, storing), then, in the same run, the same photos through @vladmandic/face-api (detection,
 * landmarks, descriptors) on the same number of processes. Also in the same run: the machine's
 * matrix-multiply ceiling (ceiling.ts) and, one thread each in this process, the tfjs-wasm and
 * onnxruntime networks side by side (ms per photo for detection, ms per face for the embedder).
 * On a shared machine absolute figures are noisy; the ratios are the point.
 */
import { describePrecisions, type NetworkPrecisions, type PrecisionMode } from '../embed/precision.ts';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnalysisPool, defaultWorkerCount, type PhotoAnalyser } from '../faces/analysisPool.ts';
import { scanLibrary, type ScanReport } from '../people/libraryScan.ts';
import { openStore } from '../store/index.ts';
import { listLibrary } from '../library/walk.ts';
import { decodeImage, DEFAULT_DECODE_OPTIONS, type DecodeOptions } from '../library/decode.ts';
import { OnnxSsdDetector } from '../faces/onnxDetector.ts';
import { defaultCacheDir } from '../../native-models/onnx/cache.ts';
import sharp from 'sharp';
import { demoPhotos } from './benchDetect.ts';
import { composeGroupPhotos, enlargedDemoPhotos } from './benchDetectPhotos.ts';
import { buildLibrary } from './benchRescan.ts';
import { measureCeiling } from './ceiling.ts';
import { dlibResnetFlops } from './flops.ts';
import type { PeerMode, PeerRunResult } from './benchPipelinePeer.ts';
import { compareRuntimes, type RuntimeComparison } from './runtimeComparison.ts';

export interface BenchPipelineOptions {
  /** Folder of photos (searched recursively); with `megapixels`, optional extra photos. */
  data?: string;
  /**
   * Instead of (or besides) a folder: group photos composed at this size (4:3) from LFW faces of 40-400 px,
   * JPEG quality 90, every fourth one stored turned with EXIF orientation 6, plus face-api's six demo
   * photos enlarged to the same width (benchDetectPhotos.ts); decoded as a scan decodes them (whole). `limit` sets how
   * many composed photos (default 40).
   */
  megapixels?: number;
  /** LFW for the composed photos (default FACET_LFW_DIR, else ../shared/data/lfw). */
  lfwDir?: string;
  /** Composed photos' seed (default 3: apart from bench detect's tuning seed 1 and report seed 2). */
  seed?: number;
  /** Analysis workers (and peer processes). Default: one per core. Each runs one photo untimed first, as does the peer. */
  workers?: number;
  /** At most this many photos (sorted by path). */
  limit?: number;
  /**
   * Photos analysed in all (default: each photo once): the photos are taken again in the same order until this
   * many are done, for the memory figure over a long scan (the issue asks for 2,000 12 MP photos).
   */
  analyses?: number;
  /** Backend for our pipeline (default: the fastest that loads). */
  backend?: string;
  /** The onnx networks' precision (default: FACET_PRECISION, else DEFAULT_PRECISION). */
  precision?: PrecisionMode;
  /** Skip the face-api peer. */
  skipPeer?: boolean;
  /** Skip the one-thread tfjs/onnx comparison. */
  skipComparison?: boolean;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface StageMs {
  /** Mean per photo. */
  decode: number;
  detect: number;
  align: number;
  embed: number;
  thumbnails: number;
  /** Embedding, mean per face. */
  embedPerFace: number;
}

export interface BenchPipelineResult {
  photos: number;
  failed: number;
  faces: number;
  /** Faces the scan stored in its SQLite file (the scan's own count, inside its transactions): equals `faces`. */
  storedFaces: number;
  photosPerSecond: number;
  facesPerSecond: number;
  stageMs: StageMs;
  /**
   * Peak resident memory of this process and its worker threads while the scan ran (models loading to the last
   * photo stored; sampled every 50 ms), before the ceilings and the comparisons run.
   */
  peakMB: number;
  /** Resident memory just before the pool started (what composing the photos left behind is in it). */
  startMB: number;
  /** Resident memory once the models had loaded and each worker had run one photo. */
  loadedMB: number;
  /** Resident memory after the first tenth of the photos and after the last (pool still open): a leak shows as growth between them. */
  earlyMB: number;
  lateMB: number;
  /** CPU time over wall time while the photos ran, as a share of all cores (0..1). */
  cpuUse: number;
  /** Embedder GFLOP/s summed over workers: FLOPs of every forward pass (mirrors included) / embed time per worker. */
  embedGflops: number;
  /** The same for one worker (one core): FLOPs / summed embed time. */
  embedGflopsPerWorker: number;
  /**
   * JPEG decoding alone (sharp/libvips to upright RGB at the size the pipeline decodes, one photo per core at
   * a time, all cores): the most photos/s any pipeline could reach on this machine, measured in this run.
   */
  decodeCeilingPhotosPerSecond: number;
  /** photosPerSecond / decodeCeilingPhotosPerSecond. */
  decodeCeilingShare: number;
  /** Longest side the pipeline decoded at (Infinity: full size). */
  decodeMaxSide: number;
  /** Matrix multiply on all cores (never below the one-core figure: on a busy machine the sessions wait for each other). */
  ceilingGflops: number;
  ceilingGflopsOneCore: number;
  ceilingBackend: string;
  /** Our embedder's FLOPs per face and pass (dlib ResNet at 150 px); null for other embedders. */
  embedderGflopPerPass: number | null;
  backend: string;
  detector: string;
  embedder: string;
  /** What the networks ran in (a precision mode where one says it); with an int8 embedder the GFLOP/s figures count its multiply-adds as fp32 FLOPs. */
  precision: string;
  precisions: NetworkPrecisions;
  workers: number;
  loadSeconds: number;
  /**
   * face-api at Facet's accuracy: its SSD on the same small-face tiles, then its own landmarks and descriptors
   * (benchPipelinePeer.ts, mode small-faces); `peerPhotosPerSecond`, `peerFaces` and `ratio` are this peer's.
   */
  peer: string | null;
  peerPhotosPerSecond: number | null;
  peerFaces: number | null;
  peerPeakMB: number | null;
  /** face-api as it comes (one 512x512 pass, which misses small faces), for reference; null when skipped. */
  peerSinglePass: { photosPerSecond: number; faces: number; ratio: number } | null;
  /** photosPerSecond / peerPhotosPerSecond: how many times faster we are. */
  ratio: number | null;
  /** One thread each, same photos, in this process. */
  runtimes: RuntimeComparison | null;
}

const peerRunner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'benchPipelinePeer.ts');

export async function benchPipeline(options: BenchPipelineOptions): Promise<BenchPipelineResult> {
  const log = options.log ?? (() => {});
  const files = options.megapixels ? await largePhotos(options, log) : [];
  if (options.data) {
    const listing = await listLibrary([options.data]);
    files.push(...listing.files.map((file) => file.path).slice(0, options.megapixels ? Infinity : options.limit ?? Infinity));
  }
  if (files.length === 0) throw new Error(options.data ? `no photos found under ${options.data}` : 'no photos: pass a folder (--data) or --megapixels');
  const workers = options.workers ?? defaultWorkerCount();
  // As a scan decodes: whole up to 4096 px on the long side (a 12 MP photo whole), larger photos shrunk on load.
  const decode: DecodeOptions = {};
  const decodeMaxSide = decode.maxSide ?? DEFAULT_DECODE_OPTIONS.maxSide;
  const analyses = options.analyses ?? files.length;
  if (!(Number.isInteger(analyses) && analyses >= 1)) throw new RangeError(`analyses (--photos) must be a whole number >= 1, got ${analyses}`);

  // The pipeline first, so that its memory figure is its own: the ceilings and comparisons below run after it.
  // It runs as the app's scan does (scanLibrary: listing, hashing, the pool, SQLite), on a library folder of links to
  // the photos (benchRescan.ts's buildLibrary, as `facet bench scan` makes its own), the set taken again in turn until
  // there are `analyses`.
  // Each analysis is stored and let go, as in a scan, so the memory figure is the scan's.
  log(`pipeline: a scan of ${analyses} photos (${files.length} different) on ${workers} worker(s)`);
  mkdirSync(defaultCacheDir(), { recursive: true });
  const work = mkdtempSync(path.join(defaultCacheDir(), 'bench-scan-'));
  const library = path.join(work, 'library');
  buildLibrary(library, files, analyses, analyses);
  const store = openStore(path.join(work, 'facet.db'));
  const memory = new MemorySampler();
  const startMB = memory.nowMB();
  const loadStarted = performance.now();
  const pool = await AnalysisPool.create({ workers, decode, pipeline: { backend: options.backend, precision: options.precision } });
  // One photo per worker first, untimed: first runs pay for kernel set-up and memory arenas.
  await Promise.all(files.slice(0, Math.max(1, pool.workers)).map((file) => pool.analyse(file)));
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const loadedMB = memory.nowMB();
  let earlyMB = 0;
  let lateMB = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  // What the summary needs of each analysis; the analyses themselves go to SQLite.
  const totals = { analysed: 0, ok: 0, faces: 0, decode: 0, detect: 0, align: 0, embed: 0, thumbnails: 0 };
  const measured: PhotoAnalyser = {
    workers: pool.workers,
    analyse: async (file: string) => {
      const analysis = await pool.analyse(file);
      totals.analysed++;
      if (analysis.ok) {
        totals.ok++;
        totals.faces += analysis.faces.length;
        for (const key of ['decode', 'detect', 'align', 'embed', 'thumbnails'] as const) totals[key] += analysis.ms[key];
      }
      if (totals.analysed === Math.max(1, Math.round(analyses / 10))) earlyMB = memory.nowMB();
      if (totals.analysed % 100 === 0) log(`  ${totals.analysed}/${analyses} photos, ${memory.nowMB().toFixed(0)} MB (peak ${memory.peakMB().toFixed(0)} MB)`);
      return analysis;
    },
    close: async () => {},
  };
  let report: ScanReport;
  try {
    report = await scanLibrary({ store, roots: [library], detectorId: pool.detector, embedderId: pool.embedder, createPool: async () => measured });
  } finally {
    lateMB = memory.nowMB();
    await pool.close();
    store.close();
    rmSync(work, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const peakMB = memory.stop();
  if (report.analysed + report.failed.length !== analyses) throw new Error(`the scan analysed ${report.analysed} photos and failed ${report.failed.length}, of ${analyses}`);
  const faces = totals.faces;
  const mean = (total: number) => total / Math.max(1, totals.ok);
  const embedMsTotal = totals.embed;
  const flopPerPass = pool.embedder === 'dlib-resnet' ? dlibResnetFlops() : null;
  // The pipeline embeds each face and its mirror (flip averaging): two passes per face.
  const embedGflopsPerWorker = flopPerPass && embedMsTotal > 0 ? (flopPerPass * 2 * faces) / (embedMsTotal / 1000) / 1e9 : 0;

  log(`decode ceiling: ${files.length} photos, ${os.availableParallelism()} at a time`);
  const decodeCeiling = await measureDecodeCeiling(files, decodeMaxSide);
  log(`ceiling: ${os.availableParallelism()}-core matrix multiply`);
  const ceiling = await measureCeiling();
  const runtimes = options.skipComparison ? null : await compareRuntimes(files.slice(0, 3), log);

  const peer = options.skipPeer ? null : await runPeer(files, workers, 'small-faces', log);
  const peerSingle = options.skipPeer ? null : await runPeer(files, workers, 'single', log);
  const photosPerSecond = report.analysed / seconds;
  return {
    photos: report.analysed,
    failed: report.failed.length,
    faces,
    storedFaces: report.faces,
    photosPerSecond,
    facesPerSecond: faces / seconds,
    stageMs: {
      decode: mean(totals.decode),
      detect: mean(totals.detect),
      align: mean(totals.align),
      embed: mean(totals.embed),
      thumbnails: mean(totals.thumbnails),
      embedPerFace: faces > 0 ? embedMsTotal / faces : 0,
    },
    peakMB,
    startMB,
    loadedMB,
    earlyMB,
    lateMB,
    decodeCeilingPhotosPerSecond: decodeCeiling,
    decodeCeilingShare: photosPerSecond / decodeCeiling,
    decodeMaxSide,
    cpuUse: (cpu.user + cpu.system) / 1e6 / seconds / os.availableParallelism(),
    embedGflops: embedGflopsPerWorker * Math.max(1, pool.workers),
    embedGflopsPerWorker,
    ceilingGflops: ceiling.gflops,
    ceilingGflopsOneCore: ceiling.gflopsOneCore,
    ceilingBackend: `${ceiling.backend}, ${ceiling.threads} thread(s), ${ceiling.size}² matmul`,
    embedderGflopPerPass: flopPerPass === null ? null : flopPerPass / 1e9,
    backend: pool.backend,
    detector: pool.detector,
    embedder: pool.embedder,
    precision: describePrecisions(pool.precisions),
    precisions: pool.precisions,
    workers: pool.workers,
    loadSeconds,
    peer: peer ? `@vladmandic/face-api ${peer.version} with the same small-face tiles (tfjs wasm, ${peer.processes} process(es))` : null,
    peerPhotosPerSecond: peer ? peer.photosPerSecond : null,
    peerFaces: peer ? peer.faces : null,
    peerPeakMB: peer ? peer.peakMB : null,
    peerSinglePass: peerSingle
      ? { photosPerSecond: peerSingle.photosPerSecond, faces: peerSingle.faces, ratio: photosPerSecond / peerSingle.photosPerSecond }
      : null,
    ratio: peer ? photosPerSecond / peer.photosPerSecond : null,
    runtimes,
  };
}

/** Resident memory of the whole process (all threads), its peak sampled every 50 ms. */
class MemorySampler {
  #peak = process.memoryUsage().rss;
  readonly #timer = setInterval(() => this.nowMB(), 50);

  nowMB(): number {
    const rss = process.memoryUsage().rss;
    this.#peak = Math.max(this.#peak, rss);
    return rss / 2 ** 20;
  }

  peakMB(): number {
    return this.#peak / 2 ** 20;
  }

  /** Stops sampling; returns the peak. */
  stop(): number {
    clearInterval(this.#timer);
    this.nowMB();
    return this.peakMB();
  }
}

/** The composed large photos and the enlarged demo photos, made once into the cache. */
async function largePhotos(options: BenchPipelineOptions, log: (line: string) => void): Promise<string[]> {
  const megapixels = options.megapixels!;
  if (!(megapixels >= 1 && megapixels <= 100)) throw new RangeError(`--megapixels must lie between 1 and 100, got ${megapixels}`);
  const width = Math.round(Math.sqrt((megapixels * 1e6 * 4) / 3) / 8) * 8, height = Math.round((width * 3) / 4);
  const lfwDir = options.lfwDir ?? path.resolve(process.env.FACET_LFW_DIR ?? path.join('..', 'shared', 'data', 'lfw'));
  const cacheDir = path.join(defaultCacheDir(), 'bench-pipeline');
  const detector = new OnnxSsdDetector();
  await detector.load();
  try {
    const composed = await composeGroupPhotos({
      lfwDir, seed: options.seed ?? 3, photos: options.limit ?? 40, width, height, orientedEvery: 4, cacheDir, detector, log,
    });
    const demo = await enlargedDemoPhotos(path.dirname(demoPhotos()[0]!.file), cacheDir, width);
    return [...composed.photos.map((photo) => photo.file), ...demo];
  } finally {
    detector.dispose();
  }
}

/** Photos/s decoding only: every photo to upright RGB at most maxSide px, one per core at a time, libvips on one thread each. */
async function measureDecodeCeiling(files: string[], maxSide: number): Promise<number> {
  const parallel = os.availableParallelism();
  const before = sharp.concurrency();
  sharp.concurrency(1);
  try {
    await decodeImage(files[0]!, { maxSide }); // untimed: loads libvips' codecs
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: parallel }, async () => {
      while (next < files.length) {
        const decoded = await decodeImage(files[next++]!, { maxSide });
        if (decoded instanceof Error) throw decoded;
      }
    }));
    return files.length / ((performance.now() - started) / 1000);
  } finally {
    sharp.concurrency(before);
  }
}

/** The peer on `processes` child processes, the photos dealt out round-robin. */
async function runPeer(files: string[], processes: number, mode: PeerMode, log: (line: string) => void) {
  const count = Math.max(1, Math.min(processes, files.length));
  log(`peer: face-api (${mode}) on ${count} process(es)`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'facet-bench-peer-'));
  try {
    const runs = await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const list = path.join(work, `files-${i}.json`);
        writeFileSync(list, JSON.stringify(files.filter((_, j) => j % count === i)));
        return runChild(list, mode);
      }),
    );
    const photos = runs.reduce((sum, r) => sum + r.photos, 0);
    const slowest = Math.max(...runs.map((r) => r.ms));
    return {
      version: runs[0]!.version,
      processes: count,
      faces: runs.reduce((sum, r) => sum + r.faces, 0),
      photosPerSecond: photos / (slowest / 1000),
      peakMB: Math.max(...runs.map((r) => r.peakMB)),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function runChild(list: string, mode: PeerMode): Promise<PeerRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', peerRunner, list, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`face-api peer exited with ${code}: ${stderr.trim().slice(-2000)}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as PeerRunResult);
    });
  });
}
