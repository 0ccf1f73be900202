/**
 * `facet bench <subcommand>`: benchmarks. Each is a subcommand with its own typed options (checked before it
 * runs); add one with an entry in SUBCOMMANDS or registerBenchSubcommand.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type AnyCommand, type Command, defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';

export type BenchSubcommand = AnyCommand;

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

const pipeline = defineCommand({
  summary: 'photos/s, faces/s, ms per stage and peak memory of a real scan (into a temporary SQLite file) over a folder of photos, against face-api on the same photos',
  usage: 'facet bench pipeline (--data DIR | --megapixels MP) [--workers N] [--limit N] [--photos N] [--skip-peer] [--skip-comparison] [--json]',
  options: {
    data: { type: 'string', placeholder: 'DIR', description: 'a folder of photos' },
    megapixels: { type: 'number', above: 0, placeholder: 'MP', description: 'group photos of this size composed from LFW faces (FACET_LFW_DIR) and the face-api demo photos enlarged, decoded as a scan decodes them (whole up to 4096 px)' },
    workers: { type: 'integer', min: 0 },
    limit: { type: 'integer', min: 1, description: 'at most N different photos' },
    photos: { type: 'integer', min: 1, placeholder: 'N', description: 'analyse N photos in all, taking the photos again in turn (memory over a long scan)' },
    'skip-peer': { type: 'boolean', description: 'do not run @vladmandic/face-api for comparison' },
    'skip-comparison': { type: 'boolean', description: 'do not run the one-thread tfjs-wasm vs onnxruntime comparison' },
  },
  async run({ values, json, backend, precision, out, err }) {
    const data = values.data;
    if (data === undefined && values.megapixels === undefined) throw new UsageError('--data DIR or --megapixels MP is needed: the photos to run through the pipeline');
    const { benchPipeline } = await import('../../eval/benchPipeline.ts');
    const result = await benchPipeline({
      data,
      megapixels: values.megapixels,
      workers: values.workers,
      limit: values.limit,
      analyses: values.photos,
      backend,
      precision,
      skipPeer: values['skip-peer'],
      skipComparison: values['skip-comparison'],
      log: json ? undefined : err,
    });
    if (json) {
      out(JSON.stringify(result));
      return 0;
    }
    const s = result.stageMs;
    out(`${result.photos} photos, ${result.faces} faces on ${result.workers} worker(s), backend ${result.backend} (${result.detector} + ${result.embedder}, ${result.precision})`);
    out(`  ${fixed(result.photosPerSecond, 2)} photos/s, ${fixed(result.facesPerSecond, 2)} faces/s`);
    if (result.peer) {
      out(`  peer at Facet's accuracy, ${result.peer}: ${fixed(result.peerPhotosPerSecond, 2)} photos/s, ${result.peerFaces} faces; ratio ${fixed(result.ratio, 2)}x`);
      const single = result.peerSinglePass;
      if (single) out(`  face-api as it comes (one 512 px pass): ${fixed(single.photosPerSecond, 2)} photos/s, ${single.faces} faces; ratio ${fixed(single.ratio, 2)}x`);
    }
    out(`  decode ceiling (libvips alone, all cores, longest side ${result.decodeMaxSide}): ${fixed(result.decodeCeilingPhotosPerSecond, 2)} photos/s; the pipeline reaches ${fixed(result.decodeCeilingShare * 100, 0)}% of it`);
    out(`  ms per photo: decode ${fixed(s.decode)}, detect ${fixed(s.detect)}, align ${fixed(s.align)}, embed ${fixed(s.embed)} (${fixed(s.embedPerFace)} per face), thumbnails ${fixed(s.thumbnails)}`);
    out(`  embedder ${fixed(result.embedGflops)} GFLOP/s${result.precisions.embedder === 'int8' ? ' (its multiply-adds counted as fp32 FLOPs; int8 runs them in integers)' : ''} against a ceiling of ${fixed(result.ceilingGflops)} GFLOP/s (${result.ceilingBackend});`);
    out(`    per worker ${fixed(result.embedGflopsPerWorker)} GFLOP/s against ${fixed(result.ceilingGflopsOneCore)} GFLOP/s on one core`);
    out(`  memory while the pipeline ran: peak ${fixed(result.peakMB, 0)} MB; ${fixed(result.startMB, 0)} MB before the pool, ${fixed(result.loadedMB, 0)} MB with the models loaded, ${fixed(result.earlyMB, 0)} MB after a tenth of the photos, ${fixed(result.lateMB, 0)} MB at the end`);
    out(`  CPU use ${fixed(result.cpuUse * 100, 0)}% of all cores, models loaded in ${fixed(result.loadSeconds)} s`);
    const r = result.runtimes;
    if (r) {
      out(`  one thread each on ${r.photos} photo(s), ${r.faces} face(s): detect ${fixed(r.detectMsPerPhoto.tfjsWasm)} ms (tfjs-wasm) vs ${fixed(r.detectMsPerPhoto.onnx)} ms (onnx) per photo, ${fixed(r.detectRatio, 2)}x;`);
      out(`    embed ${fixed(r.embedMsPerFace.tfjsWasm)} ms vs ${fixed(r.embedMsPerFace.onnx)} ms per face, ${fixed(r.embedRatio, 2)}x`);
    }
    return 0;
  },
});

const rescan = defineCommand({
  summary: 'time an unchanged rescan of a generated library of N files (links to LFW images)',
  usage: 'facet bench rescan --files N [--json]',
  options: { files: { type: 'integer', min: 1, default: 100_000 } },
  async run({ values, json, out, err }) {
    const { files } = values;
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
});

const scan = defineCommand({
  summary: 'a real first scan of N generated photos (links to LFW images) per worker count: photos/s, speed-up, peak memory',
  usage: 'facet bench scan --files N [--workers 1,2] [--json]',
  options: {
    files: { type: 'integer', min: 1, default: 1000 },
    workers: { type: 'integers', min: 1, default: [1, 2], description: 'worker counts to compare' },
  },
  async run({ values, json, backend, precision, out, err }) {
    const { files, workers } = values;
    const { benchScan } = await import('../../eval/benchScan.ts');
    const result = await skippedWithoutLfw(json, out, () => benchScan({ files, workers, backend, precision, log: json ? undefined : err }));
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
});

const cluster = defineCommand({
  summary: 'clustering speed and peak memory against ml-hclust (main/eval/benchCluster.ts)',
  usage: 'facet bench cluster --faces N[,N...] [--json]',
  options: { faces: { type: 'integers', min: 2, default: [2000], description: 'library sizes to time' } },
  async run({ values, json }) {
    const { faces } = values;
    const { benchCluster } = await import('../../eval/benchCluster.ts');
    await benchCluster({ faces, json });
    return 0;
  },
});

const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);

const detect = defineCommand({
  summary: 'small-face pass vs single pass: recall by face size, precision, seconds per photo, on 12 MP photos composed from LFW faces and the face-api demo photos',
  usage: 'facet bench detect [--data LFW_DIR] [--photos N] [--seed S] [--strategy both|tiles|proposals] [--min-face PX] [--detectable PX] [--level-ratio R] [--proposal-face PX] [--proposal-score S] [--verify-face PX] [--verify-iou I] [--min-confidence C] [--skip-demo] [--json]',
  options: {
    data: { type: 'string', placeholder: 'LFW_DIR', description: 'the LFW folder (default: FACET_LFW_DIR, else ../shared/data/lfw)' },
    photos: { type: 'integer', min: 1, default: 30 },
    seed: { type: 'integer', min: 0, default: 2 },
    'min-face': { type: 'number', above: 0, placeholder: 'PX' },
    detectable: { type: 'number', above: 0, placeholder: 'PX' },
    'level-ratio': { type: 'number', above: 0, placeholder: 'R' },
    strategy: { type: 'string', choices: ['both', 'tiles', 'proposals'], default: 'both', description: "the small-face pass's strategies to score beside the single pass" },
    'proposal-face': { type: 'number', above: 0, placeholder: 'PX', description: "proposals: px a min-face face becomes in BlazeFace's input" },
    'proposal-score': { type: 'number', above: 0, below: 1, placeholder: 'S', description: 'proposals: BlazeFace score to propose a box' },
    'verify-face': { type: 'number', above: 0, placeholder: 'PX', description: "proposals: px a proposal takes in its 128 px mosaic cell" },
    'verify-iou': { type: 'number', above: 0, placeholder: 'I', description: "proposals: IoU of SSD's box with the proposal that verifies it" },
    'min-confidence': { type: 'number', above: 0, below: 1, placeholder: 'C' },
    'skip-demo': { type: 'boolean', description: "leave out the face-api demo photos" },
  },
  async run({ values, json, precision, out, err }) {
    const { benchDetect } = await import('../../eval/benchDetect.ts');
    const lfwDir = path.resolve(values.data ?? process.env.FACET_LFW_DIR ?? path.join('..', 'shared', 'data', 'lfw'));
    if (!existsSync(path.join(lfwDir, 'images_deepfunneled'))) {
      const reason = `LFW deep-funneled images not found under ${lfwDir} (pass --data DIR or set FACET_LFW_DIR)`;
      out(json ? JSON.stringify({ skipped: true, reason }) : `skipped: ${reason}`);
      return 0;
    }
    const minConfidence = values['min-confidence'];
    const smallFaces = Object.fromEntries(Object.entries({
      minFace: values['min-face'],
      detectableFace: values.detectable,
      levelRatio: values['level-ratio'],
      proposalFace: values['proposal-face'],
      proposalScore: values['proposal-score'],
      verifyFace: values['verify-face'],
      verifyIou: values['verify-iou'],
    }).filter(([, v]) => v !== undefined));
    const result = await benchDetect({
      lfwDir,
      seed: values.seed,
      photos: values.photos,
      minConfidence,
      smallFaces,
      strategies: values.strategy === 'both' ? ['tiles', 'proposals'] : [values.strategy as 'tiles' | 'proposals'],
      skipDemo: values['skip-demo'],
      precision,
      log: json ? undefined : err,
    });
    if (json) {
      out(JSON.stringify(result));
      return 0;
    }
    const o = result.smallFaces;
    out(`${result.detector} (${result.runtime}, ${result.precision}), min confidence ${result.minConfidence}; small-face pass (default strategy ${o.strategy}): min face ${o.minFace} px;`);
    out(`  tiles: detectable ${o.detectableFace} px, level ratio ${o.levelRatio}; proposals: ${o.proposalFace} px in BlazeFace's input, score > ${o.proposalScore}, verified at ${o.verifyFace} px, IoU >= ${o.verifyIou}`);
    out(`  composed photos in ${result.composedFolder} (LFW faces the detector finds at full size: ${result.poolTried - result.poolRejected} of ${result.poolTried})`);
    for (const set of result.sets) {
      out(`${set.name}: ${set.photos} photos, ${set.faces} faces`);
      const line = (label: string, score: (typeof set)['single']) => {
        const bands = Object.entries(score.recall).map(([band, r]) => `${band} ${percent(r)} (${score.found[band] ?? 0}/${score.faces[band] ?? 0})`).join(', ');
        out(`  ${label.padEnd(11)} recall ${bands}; precision ${percent(score.precision)} (${score.truePositives}/${score.detections}); ${fixed(score.secondsPerPhoto, 3)} s/photo (detect ${fixed(score.detectSecondsPerPhoto, 3)} s), ${fixed(score.gmacPerPhoto, 1)} GMAC`);
      };
      line('single', set.single);
      for (const strategy of set.strategies) {
        line(strategy.strategy, strategy);
        const proposals = strategy.proposalPassesPerPhoto > 0
          ? `, ${fixed(strategy.proposalPassesPerPhoto, 1)} BlazeFace pass, ${fixed(strategy.proposalsPerPhoto, 1)} proposals checked in ${fixed(strategy.mosaicsPerPhoto, 1)} mosaics, ${fixed(strategy.verifiedPerPhoto, 1)} kept`
          : '';
        out(`  ${''.padEnd(11)} time ${fixed(strategy.timeRatio, 2)}x the single pass, GMAC ${fixed(strategy.gmacRatio, 1)}x; per photo ${fixed(strategy.passesPerPhoto, 1)} SSD passes${proposals}`);
      }
    }
    return 0;
  },
});

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
  usage: `facet bench ${Object.keys(SUBCOMMANDS).join('|')} [options]   (facet bench scan --help for each one's options)`,
  subcommands: SUBCOMMANDS,
};
