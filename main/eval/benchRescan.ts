/**
 * `facet bench rescan`: how long an unchanged library takes to rescan. Builds a library of N photos
 * in a temporary folder (nested folders of hard links to the LFW images, or symlinks where hard
 * links cannot cross file systems), records it in a temporary database with the scan itself (a
 * first scan whose analysis stand-in finds no faces, so every photo counts as analysed by the
 * current detector), then times a second, unchanged scan: list, stat, compare, nothing to analyse.
 */
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DETECTOR, DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import type { FileAnalysis } from '../faces/analyseFile.ts';
import type { PhotoAnalyser } from '../faces/analysisPool.ts';
import { scanLibrary } from '../people/libraryScan.ts';
import { openStore } from '../store/index.ts';
import { lfwDir } from '../training/lfwPairs.ts';

/** LFW's deep-funneled images under FACET_LFW_DIR (default ../shared/data/lfw beside the repository). */
export const LFW_IMAGES = path.join(lfwDir(), 'images_deepfunneled');

export interface BenchRescanOptions {
  files: number;
  /** Source of the images (default: the shared LFW copy). */
  source?: string;
  /** Photos per folder (default 200: a year of phone photos split by month looks like this). */
  perFolder?: number;
  log?: (line: string) => void;
}

export interface BenchRescanResult {
  files: number;
  folders: number;
  links: 'hard' | 'symbolic';
  /** Building the folder tree, and the first (recording) scan. */
  buildSeconds: number;
  firstScanSeconds: number;
  /** The unchanged rescan: the figure the benchmark is for. */
  rescanSeconds: number;
  filesPerSecond: number;
  unchanged: number;
  analysed: number;
  peakMB: number;
  /** Under 10 s for 100,000 files, scaled linearly for other sizes. */
  targetSeconds: number;
  metTarget: boolean;
}

export class BenchDataMissingError extends Error {
  override readonly name = 'BenchDataMissingError';
  constructor(readonly folder: string) {
    super(`LFW images not found at ${folder}: the rescan benchmark links to them (put LFW's deep-funneled images there, or pass a source folder)`);
  }
}

/** Every image under the LFW folder (one level of person folders). */
export function sourceImages(source: string): string[] {
  return readdirSync(source, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((person) => readdirSync(path.join(source, person.name)).filter((name) => name.endsWith('.jpg')).map((name) => path.join(source, person.name, name)))
    .sort();
}

/**
 * library/y<k>/m<j>/photo-<i><ext> (each image's own extension), `perFolder` a folder, the images taken in turn until
 * there are `count`. Hard links where the file system allows, else symlinks.
 */
export function buildLibrary(root: string, images: string[], count: number, perFolder: number): { folders: number; links: 'hard' | 'symbolic' } {
  let links: 'hard' | 'symbolic' = 'hard';
  let folder = '';
  let folders = 0;
  for (let i = 0; i < count; i++) {
    if (i % perFolder === 0) {
      const index = i / perFolder;
      folder = path.join(root, `y${Math.floor(index / 12)}`, `m${index % 12}`);
      mkdirSync(folder, { recursive: true });
      folders++;
    }
    const target = images[i % images.length]!;
    const file = path.join(folder, `photo-${i}${path.extname(target)}`);
    if (links === 'hard') {
      try {
        linkSync(target, file);
        continue;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
        links = 'symbolic';
      }
    }
    symlinkSync(target, file);
  }
  return { folders, links };
}

/** Records every photo as analysed, with no faces, without loading a model. */
const noFacesAnalyser: PhotoAnalyser = {
  workers: 1,
  analyse: async (file: string): Promise<FileAnalysis> => ({
    ok: true, file, width: 250, height: 250, format: 'jpeg', faces: [],
    ms: { decode: 0, detect: 0, describe: 0, align: 0, embed: 0, thumbnails: 0 },
  }),
  close: async () => {},
};

export async function benchRescan(options: BenchRescanOptions): Promise<BenchRescanResult> {
  const log = options.log ?? (() => {});
  const source = options.source ?? LFW_IMAGES;
  if (!existsSync(source)) throw new BenchDataMissingError(source);
  if (!(Number.isInteger(options.files) && options.files > 0)) throw new RangeError(`--files must be a positive whole number, got ${options.files}`);
  const images = sourceImages(source);
  if (images.length === 0) throw new BenchDataMissingError(source);
  const work = mkdtempSync(path.join(os.tmpdir(), 'facet-bench-rescan-'));
  const root = path.join(work, 'library');
  const store = openStore(path.join(work, 'facet.db'));
  try {
    log(`building ${options.files} files under ${root}`);
    let started = performance.now();
    const { folders, links } = buildLibrary(root, images, options.files, options.perFolder ?? 200);
    const buildSeconds = (performance.now() - started) / 1000;
    const scan = (createPool: () => Promise<PhotoAnalyser>) =>
      scanLibrary({ store, roots: [root], detectorId: DEFAULT_DETECTOR, embedderId: DEFAULT_EMBEDDER, createPool });
    log('first scan (records the files; the analysis stand-in finds no faces)');
    started = performance.now();
    const first = await scan(async () => noFacesAnalyser);
    const firstScanSeconds = (performance.now() - started) / 1000;
    if (first.analysed !== options.files) throw new Error(`first scan analysed ${first.analysed} of ${options.files} files (${first.failed.length} failed)`);
    log('unchanged rescan');
    started = performance.now();
    const rescan = await scan(async () => {
      throw new Error('an unchanged rescan asked for the analysis pool');
    });
    const rescanSeconds = (performance.now() - started) / 1000;
    const targetSeconds = (10 * options.files) / 100_000;
    return {
      files: rescan.files, folders, links, buildSeconds, firstScanSeconds, rescanSeconds,
      filesPerSecond: rescan.files / rescanSeconds,
      unchanged: rescan.unchanged, analysed: rescan.analysed,
      peakMB: process.resourceUsage().maxRSS / 1024,
      targetSeconds, metTarget: rescanSeconds < targetSeconds,
    };
  } finally {
    store.close();
    rmSync(work, { recursive: true, force: true });
  }
}
