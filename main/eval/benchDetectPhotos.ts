/**
 * Group photos composed from LFW faces for `facet bench detect`: seeded, generated into a cache folder
 * (never the repository), each with its ground-truth face boxes.
 *
 * The face pool: LFW deep-funneled images whose central face the detector finds at the image's own size
 * (250 px, score > 0.5); that box, scaled, is the ground truth. Faces it cannot find even at full size
 * (about 7%: the deep-funnel warp) would measure the warp, not the face size, and are left out (counted
 * in `poolRejected`). Each face is cut out with a margin (1.6x its box), feathered by an elliptical
 * alpha so no hard square edge remains, resized so that its box is `size` pixels (the geometric mean
 * of box width and height) and pasted at a random place on a smooth random background, never
 * overlapping another face. Sizes are drawn log-uniformly from three equal strata: 40-60, 60-90 and
 * 90-400 px, so every size band has about a third of the faces.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { Random } from '../core/random.ts';
import type { Box, FaceDetector } from '../core/types.ts';
import { decodeImage } from '../library/decode.ts';

export const COMPOSE_VERSION = 1;
/** Face-size strata (px, geometric mean of the box sides): equal shares of the faces. */
export const SIZE_STRATA: ReadonlyArray<readonly [number, number]> = [[40, 60], [60, 90], [90, 400]];
const MARGIN = 1.6;

export interface ComposeOptions {
  lfwDir: string;
  seed: number;
  photos: number;
  /** Canvas size; default 4032x3024 (12 MP). */
  width?: number;
  height?: number;
  /** Face-size strata, each drawn equally often, log-uniform inside; default SIZE_STRATA. */
  strata?: ReadonlyArray<readonly [number, number]>;
  /** Every k-th photo (k = this) is stored turned 90° with EXIF orientation 6, so that upright it is the composed photo; default none. */
  orientedEvery?: number;
  /** Faces per photo, inclusive range; default [8, 16]. */
  facesPerPhoto?: readonly [number, number];
  /** Parent of the generated folders (one per seed and setting). */
  cacheDir: string;
  /** Finds the ground truth in the LFW images (loaded). */
  detector: FaceDetector;
  log?: (line: string) => void;
}

export interface GroundTruthPhoto {
  file: string;
  width: number;
  height: number;
  faces: Box[];
}

export interface ComposedSet {
  folder: string;
  photos: GroundTruthPhoto[];
  /** LFW images tried for the pool whose face the detector did not find at full size. */
  poolRejected: number;
  poolTried: number;
}

interface PoolFace {
  file: string;
  box: Box;
}

/** The composed set for these options: read from its folder when already made, else made now. */
export async function composeGroupPhotos(options: ComposeOptions): Promise<ComposedSet> {
  const width = options.width ?? 4032, height = options.height ?? 3024;
  const [minFaces, maxFaces] = options.facesPerPhoto ?? [8, 16];
  const strata = options.strata ?? SIZE_STRATA;
  const strataKey = strata === SIZE_STRATA ? '' : `-sizes${strata.map(([lo, hi]) => `${lo}to${hi}`).join('_')}`;
  const orientedKey = options.orientedEvery ? `-rot${options.orientedEvery}` : '';
  const folder = path.join(options.cacheDir, `composed-v${COMPOSE_VERSION}-seed${options.seed}-${width}x${height}-${minFaces}to${maxFaces}-n${options.photos}${strataKey}${orientedKey}`);
  const manifest = path.join(folder, 'ground-truth.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as ComposedSet;

  const random = new Random(options.seed);
  const people = lfwPeople(options.lfwDir);
  const want = options.photos * maxFaces;
  const pool: PoolFace[] = [];
  let tried = 0;
  while (pool.length < want && tried < want * 3) {
    const person = people[random.int(people.length)]!;
    const files = readdirSync(person).filter((f) => f.endsWith('.jpg')).sort();
    const file = path.join(person, files[random.int(files.length)]!);
    tried++;
    const face = await centralFace(options.detector, file);
    if (face) pool.push({ file, box: face });
  }
  options.log?.(`pool: ${pool.length} LFW faces found at full size of ${tried} tried`);
  mkdirSync(folder, { recursive: true });
  const photos: GroundTruthPhoto[] = [];
  let next = 0;
  for (let p = 0; p < options.photos; p++) {
    const count = minFaces + random.int(maxFaces - minFaces + 1);
    const placed: Box[] = [];
    const layers: sharp.OverlayOptions[] = [];
    for (let f = 0; f < count && next < pool.length; f++) {
      const [lo, hi] = strata[random.int(strata.length)]!;
      const size = lo * Math.pow(hi / lo, random.next());
      const source = pool[next++]!;
      const patch = await facePatch(source, size);
      const spot = placeWithoutOverlap(random, patch, placed, width, height);
      if (!spot) continue;
      placed.push(spot.face);
      layers.push({ input: patch.png, left: spot.left, top: spot.top });
    }
    const file = path.join(folder, `group-${String(p).padStart(3, '0')}.jpg`);
    const temporary = `${file}.tmp`;
    const upright = sharp(await background(random, width, height), { raw: { width, height, channels: 3 } }).composite(layers);
    if (options.orientedEvery && p % options.orientedEvery === options.orientedEvery - 1) {
      // Stored turned 90° anticlockwise; orientation 6 tells viewers (and our decoder) to turn it back.
      await sharp(await upright.png({ compressionLevel: 1 }).toBuffer()).rotate(270).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toFile(temporary);
    } else {
      await upright.jpeg({ quality: 90 }).toFile(temporary);
    }
    renameSync(temporary, file);
    photos.push({ file, width, height, faces: placed });
    options.log?.(`composed ${p + 1}/${options.photos}: ${placed.length} faces`);
  }
  const set: ComposedSet = { folder, photos, poolRejected: tried - pool.length, poolTried: tried };
  writeFileSync(manifest, JSON.stringify(set));
  return set;
}

/** Every person folder of LFW's deep-funneled images, sorted. */
export function lfwPeople(lfwDir: string): string[] {
  const images = path.join(lfwDir, 'images_deepfunneled');
  if (!existsSync(images)) throw new Error(`${images}: no LFW deep-funneled images here (set FACET_LFW_DIR or --lfw)`);
  return readdirSync(images).sort().map((name) => path.join(images, name));
}

/** The best face within 30 px of the centre of a 250 px LFW image, scoring above the detector's floor. */
async function centralFace(detector: FaceDetector, file: string): Promise<Box | null> {
  const decoded = await decodeImage(file);
  if (decoded instanceof Error) throw decoded;
  const { width, height } = decoded.image;
  const faces = await detector.detect(decoded.image);
  const central = faces.find((face) =>
    Math.abs(face.box.x + face.box.width / 2 - width / 2) < 30 && Math.abs(face.box.y + face.box.height / 2 - height / 2) < 30);
  return central ? central.box : null;
}

interface Patch {
  png: Buffer;
  width: number;
  height: number;
  /** The face box inside the patch, in patch pixels. */
  face: Box;
}

/** The face with a margin, resized so its box is `size` px (geometric mean of the sides), with a feathered elliptical alpha. */
async function facePatch(source: PoolFace, size: number): Promise<Patch> {
  const { box } = source;
  const meta = await sharp(source.file).metadata();
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const half = (Math.max(box.width, box.height) * MARGIN) / 2;
  const left = Math.max(0, Math.round(cx - half)), top = Math.max(0, Math.round(cy - half));
  const right = Math.min(meta.width!, Math.round(cx + half)), bottom = Math.min(meta.height!, Math.round(cy + half));
  const scale = size / Math.sqrt(box.width * box.height);
  const width = Math.max(1, Math.round((right - left) * scale)), height = Math.max(1, Math.round((bottom - top) * scale));
  const rgb = await sharp(source.file).extract({ left, top, width: right - left, height: bottom - top })
    .resize(width, height, { kernel: 'lanczos3' }).removeAlpha().raw().toBuffer();
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      // 1 inside 80% of the ellipse, fading to 0 at its edge.
      const r = Math.hypot((x + 0.5 - width / 2) / (width / 2), (y + 0.5 - height / 2) / (height / 2));
      const alpha = Math.max(0, Math.min(1, (1 - r) / 0.2));
      rgba[i * 4] = rgb[i * 3]!;
      rgba[i * 4 + 1] = rgb[i * 3 + 1]!;
      rgba[i * 4 + 2] = rgb[i * 3 + 2]!;
      rgba[i * 4 + 3] = Math.round(alpha * 255);
    }
  }
  const png = await sharp(rgba, { raw: { width, height, channels: 4 } }).png().toBuffer();
  const face = { x: (box.x - left) * scale, y: (box.y - top) * scale, width: box.width * scale, height: box.height * scale };
  return { png, width, height, face };
}

/** A place for the patch wholly inside the canvas whose patch rectangle overlaps no placed face's margin; null after 200 tries. */
function placeWithoutOverlap(random: Random, patch: Patch, placed: Box[], width: number, height: number): { left: number; top: number; face: Box } | null {
  for (let attempt = 0; attempt < 200; attempt++) {
    const left = random.int(width - patch.width), top = random.int(height - patch.height);
    const rect = { x: left, y: top, width: patch.width, height: patch.height };
    const clear = placed.every((face) => !overlaps(rect, grow(face, MARGIN)));
    if (clear) return { left, top, face: { x: left + patch.face.x, y: top + patch.face.y, width: patch.face.width, height: patch.face.height } };
  }
  return null;
}

function grow(box: Box, factor: number): Box {
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const side = Math.max(box.width, box.height) * factor;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** A smooth random background: a 8x6 grid of random colours, bicubically enlarged, plus mild grain. */
async function background(random: Random, width: number, height: number): Promise<Buffer> {
  const grid = Buffer.alloc(8 * 6 * 3);
  for (let i = 0; i < grid.length; i++) grid[i] = 40 + random.int(180);
  const smooth = await sharp(grid, { raw: { width: 8, height: 6, channels: 3 } }).resize(width, height, { kernel: 'cubic' }).raw().toBuffer();
  for (let i = 0; i < smooth.length; i++) smooth[i] = Math.max(0, Math.min(255, smooth[i]! + Math.round((random.next() - 0.5) * 16)));
  return smooth;
}

/** face-api's demo photos enlarged to `width` px wide (lanczos3, JPEG quality 90) in the cache, made once. */
export async function enlargedDemoPhotos(demoDir: string, cacheDir: string, width: number): Promise<string[]> {
  const folder = path.join(cacheDir, `demo-${width}`);
  mkdirSync(folder, { recursive: true });
  const files: string[] = [];
  for (const name of readdirSync(demoDir).filter((f) => /^sample\d\.jpg$/.test(f)).sort()) {
    const file = path.join(folder, name);
    if (!existsSync(file)) {
      await sharp(path.join(demoDir, name)).rotate().resize({ width, kernel: 'lanczos3' }).jpeg({ quality: 90 }).toFile(`${file}.tmp`);
      renameSync(`${file}.tmp`, file);
    }
    files.push(file);
  }
  return files;
}
