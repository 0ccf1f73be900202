/**
 * `facet bench <subcommand>`: benchmarks. Each subcommand is loaded only when run; others
 * (such as `bench cluster`) plug in with registerBenchSubcommand or an entry in SUBCOMMANDS.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command, CommandContext } from '../main.ts';

export interface BenchSubcommand {
  summary: string;
  usage: string;
  run(context: CommandContext): Promise<number>;
}

function wholeNumber(values: CommandContext['values'], name: string, minimum: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) throw new Error(`--${name} must be a whole number >= ${minimum}, got "${String(raw)}"`);
  return value;
}

const fixed = (value: number | null, digits = 1) => (value === null ? 'n/a' : value.toFixed(digits));

/** Runs a benchmark that links to the LFW images; where they are absent, says so (JSON or text) and succeeds. */
async function skippedWithoutLfw<T>(json: boolean, out: (text: string) => void, run: () => Promise<T>): Promise<T | undefined> {
  const { BenchDataMissingError } = await import('../../eval/benchRescan.ts');
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof BenchDataMissingError)) throw error;
    out(json ? JSON.stringify({ skipped: true, reason: error.message }) : `skipped: ${error.message}`);
    return undefined;
  }
}

const pipeline: BenchSubcommand = {
  summary: 'photos/s, faces/s and ms per stage over a folder of photos, against face-api on the same photos',
  usage: 'facet bench pipeline --data DIR [--workers N] [--limit N] [--skip-peer] [--json]',
  async run({ values, json, out, err }) {
    const data = values.data;
    if (typeof data !== 'string') throw new Error('--data DIR is required');
    const { benchPipeline } = await import('../../eval/benchPipeline.ts');
    const result = await benchPipeline({
      data,
      workers: wholeNumber(values, 'workers', 0),
      limit: wholeNumber(values, 'limit', 1),
      backend: typeof values.backend === 'string' ? values.backend : undefined,
      skipPeer: values['skip-peer'] === true,
      log: json ? undefined : err,
    });
    if (json) {
      out(JSON.stringify(result));
      return 0;
    }
    const s = result.stageMs;
    out(`${result.photos} photos, ${result.faces} faces on ${result.workers} worker(s), backend ${result.backend} (${result.detector} + ${result.embedder})`);
    out(`  ${fixed(result.photosPerSecond, 2)} photos/s, ${fixed(result.facesPerSecond, 2)} faces/s; peer ${result.peer ?? 'skipped'}: ${fixed(result.peerPhotosPerSecond, 2)} photos/s; ratio ${fixed(result.ratio, 2)}x`);
    out(`  ms per photo: decode ${fixed(s.decode)}, detect ${fixed(s.detect)}, align ${fixed(s.align)}, embed ${fixed(s.embed)} (${fixed(s.embedPerFace)} per face), thumbnails ${fixed(s.thumbnails)}`);
    out(`  embedder ${fixed(result.embedGflops)} GFLOP/s against a ceiling of ${fixed(result.ceilingGflops)} GFLOP/s (${result.ceilingBackend});`);
    out(`    per worker ${fixed(result.embedGflopsPerWorker)} GFLOP/s against ${fixed(result.ceilingGflopsOneCore)} GFLOP/s on one core`);
    out(`  peak ${fixed(result.peakMB, 0)} MB, CPU use ${fixed(result.cpuUse * 100, 0)}% of all cores, models loaded in ${fixed(result.loadSeconds)} s`);
    const r = result.runtimes;
    if (r) {
      out(`  one thread each on ${r.photos} photo(s), ${r.faces} face(s): detect ${fixed(r.detectMsPerPhoto.tfjsWasm)} ms (tfjs-wasm) vs ${fixed(r.detectMsPerPhoto.onnx)} ms (onnx) per photo, ${fixed(r.detectRatio, 2)}x;`);
      out(`    embed ${fixed(r.embedMsPerFace.tfjsWasm)} ms vs ${fixed(r.embedMsPerFace.onnx)} ms per face, ${fixed(r.embedRatio, 2)}x`);
    }
    return 0;
  },
};

const rescan: BenchSubcommand = {
  summary: 'time an unchanged rescan of a generated library of N files (links to LFW images)',
  usage: 'facet bench rescan --files N [--json]',
  async run({ values, json, out, err }) {
    const files = wholeNumber(values, 'files', 1) ?? 100_000;
    const { benchRescan } = await import('../../eval/benchRescan.ts');
    const result = await skippedWithoutLfw(json, out, () => benchRescan({ files, log: json ? undefined : err }));
    if (!result) return 0;
    if (json) out(JSON.stringify(result));
    else {
      out(`${result.files} files in ${result.folders} folders (${result.links} links): unchanged rescan in ${result.rescanSeconds.toFixed(2)} s, ${Math.round(result.filesPerSecond)} files/s`);
      out(`  target ${result.targetSeconds.toFixed(1)} s: ${result.metTarget ? 'met' : 'MISSED'}; first scan ${result.firstScanSeconds.toFixed(1)} s, building ${result.buildSeconds.toFixed(1)} s, peak ${Math.round(result.peakMB)} MB`);
    }
    return 0;
  },
};

const scan: BenchSubcommand = {
  summary: 'a real first scan of N generated photos (links to LFW images) per worker count: photos/s, speed-up, peak memory',
  usage: 'facet bench scan --files N [--workers 1,2] [--json]',
  async run({ values, json, out, err }) {
    const files = wholeNumber(values, 'files', 1) ?? 1000;
    const workers = String(values.workers ?? '1,2').split(',').map(Number);
    if (workers.some((w) => !(Number.isInteger(w) && w >= 1))) throw new Error(`--workers must be whole numbers >= 1, got "${String(values.workers)}"`);
    const { benchScan } = await import('../../eval/benchScan.ts');
    const backend = typeof values.backend === 'string' ? values.backend : undefined;
    const result = await skippedWithoutLfw(json, out, () => benchScan({ files, workers, backend, log: json ? undefined : err }));
    if (!result) return 0;
    if (json) {
      out(JSON.stringify(result));
      return 0;
    }
    out(`${result.files} photos, backend ${result.backend}; ${result.machine}`);
    for (const run of result.runs) {
      out(`  ${run.workers} worker(s): ${fixed(run.photosPerSecond, 2)} photos/s, ${fixed(run.facesPerSecond, 2)} faces/s, ${fixed(run.seconds)} s (models ${fixed(run.loadSeconds)} s), ${fixed(run.cpuCores, 2)} cores busy; resident MB at each quarter ${run.rssAtQuarters.join(', ')}; peak ${run.peakMB} MB`);
    }
    out(`  speed-up over one worker ${fixed(result.speedup, 2)}x; peak resident memory ${result.peakMB} MB`);
    return 0;
  },
};

const cluster: BenchSubcommand = {
  summary: 'clustering speed and peak memory against ml-hclust (main/eval/benchCluster.ts)',
  usage: 'facet bench cluster --faces N[,N...] [--json]',
  async run({ values, json }) {
    const faces = String(values.faces ?? '2000').split(',').map(Number);
    if (faces.some((n) => !(Number.isInteger(n) && n > 1))) throw new Error(`--faces must be whole numbers > 1, got "${String(values.faces)}"`);
    const { benchCluster } = await import('../../eval/benchCluster.ts');
    await benchCluster({ faces, json });
    return 0;
  },
};

function positiveNumber(values: CommandContext['values'], name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`--${name} must be a number > 0, got "${String(raw)}"`);
  return value;
}

const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);

const detect: BenchSubcommand = {
  summary: 'small-face pass vs single pass: recall by face size, precision, seconds per photo, on 12 MP photos composed from LFW faces and the face-api demo photos',
  usage: 'facet bench detect [--data LFW_DIR] [--photos N] [--seed S] [--min-face PX] [--detectable PX] [--level-ratio R] [--min-confidence C] [--skip-demo] [--json]',
  async run({ values, json, out, err }) {
    const { benchDetect } = await import('../../eval/benchDetect.ts');
    const lfwDir = path.resolve(typeof values.data === 'string' ? values.data : process.env.FACET_LFW_DIR ?? path.join('..', 'shared', 'data', 'lfw'));
    if (!existsSync(path.join(lfwDir, 'images_deepfunneled'))) {
      const reason = `LFW deep-funneled images not found under ${lfwDir} (pass --data DIR or set FACET_LFW_DIR)`;
      out(json ? JSON.stringify({ skipped: true, reason }) : `skipped: ${reason}`);
      return 0;
    }
    const minConfidence = positiveNumber(values, 'min-confidence');
    if (minConfidence !== undefined && minConfidence >= 1) throw new Error(`--min-confidence must lie in (0, 1), got ${minConfidence}`);
    const smallFaces = Object.fromEntries(Object.entries({
      minFace: positiveNumber(values, 'min-face'),
      detectableFace: positiveNumber(values, 'detectable'),
      levelRatio: positiveNumber(values, 'level-ratio'),
    }).filter(([, v]) => v !== undefined));
    const result = await benchDetect({
      lfwDir,
      seed: wholeNumber(values, 'seed', 0) ?? 2,
      photos: wholeNumber(values, 'photos', 1) ?? 30,
      minConfidence,
      smallFaces,
      skipDemo: values['skip-demo'] === true,
      log: json ? undefined : err,
    });
    if (json) {
      out(JSON.stringify(result));
      return 0;
    }
    const o = result.smallFaces;
    out(`${result.detector} (${result.runtime}), min confidence ${result.minConfidence}; small-face pass: min face ${o.minFace} px, detectable ${o.detectableFace} px, level ratio ${o.levelRatio}`);
    out(`  composed photos in ${result.composedFolder} (LFW faces the detector finds at full size: ${result.poolTried - result.poolRejected} of ${result.poolTried})`);
    for (const set of result.sets) {
      out(`${set.name}: ${set.photos} photos, ${set.faces} faces`);
      for (const [label, score] of [['single pass', set.single], ['small-face pass', set.smallFaces]] as const) {
        const bands = Object.entries(score.recall).map(([band, r]) => `${band} ${percent(r)} (${score.found[band] ?? 0}/${score.faces[band] ?? 0})`).join(', ');
        out(`  ${label.padEnd(15)} recall ${bands}; precision ${percent(score.precision)} (${score.truePositives}/${score.detections}); ${fixed(score.secondsPerPhoto, 3)} s/photo (detect ${fixed(score.detectSecondsPerPhoto, 3)} s)`);
      }
      out(`  time ${fixed(set.timeRatio, 2)}x the single pass, ${fixed(set.passesPerPhoto, 1)} detector passes per photo`);
    }
    return 0;
  },
};

const SUBCOMMANDS: Record<string, () => Promise<BenchSubcommand>> = {
  detect: async () => detect,
  pipeline: async () => pipeline,
  rescan: async () => rescan,
  cluster: async () => cluster,
  scan: async () => scan,
};

export function registerBenchSubcommand(name: string, load: () => Promise<BenchSubcommand>): void {
  SUBCOMMANDS[name] = load;
}

export const benchCommand: Command = {
  summary: `benchmarks: ${Object.keys(SUBCOMMANDS).join(', ')}`,
  usage: 'facet bench detect [--data LFW_DIR] [--photos N] [--seed S] [--json] | facet bench pipeline --data DIR [--workers N] [--limit N] [--json] | facet bench rescan --files N [--json] | facet bench cluster --faces N[,N...] | facet bench scan --files N [--workers 1,2]',
  options: {
    data: { type: 'string' },
    workers: { type: 'string' },
    limit: { type: 'string' },
    files: { type: 'string' },
    faces: { type: 'string' },
    'skip-peer': { type: 'boolean' },
    seed: { type: 'string' },
    photos: { type: 'string' },
    'min-face': { type: 'string' },
    detectable: { type: 'string' },
    'level-ratio': { type: 'string' },
    'min-confidence': { type: 'string' },
    'skip-demo': { type: 'boolean' },
  },
  async run(context) {
    const [name, ...rest] = context.args;
    const load = name ? SUBCOMMANDS[name] : undefined;
    if (!load) {
      context.err(`facet bench: ${name ? `unknown benchmark "${name}"` : 'name a benchmark'}; one of ${Object.keys(SUBCOMMANDS).join(', ')}`);
      return 2;
    }
    return (await load()).run({ ...context, args: rest });
  },
};
