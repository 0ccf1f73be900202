/**
 * Training images from a folder-per-identity dataset (DIR/<identity>/<image>, as LFW's
 * images_deepfunneled), decoded with sharp to a network's input: upright, sRGB, centre crop
 * (optionally of the central fraction of the image first), values in [0, 1], RGB order.
 * Decoded images are kept in a small LRU cache as bytes, so a small dataset is decoded once.
 */
import { type Dirent, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { LearnInputError } from '../learn/errors.ts';
import type { Identity } from '../learn/mining.ts';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.bmp', '.gif', '.avif']);

export interface ImageDataset {
  readonly root: string;
  /** One identity per sub-folder, sorted by name; faces are absolute paths, sorted. */
  readonly identities: readonly Identity<string>[];
  readonly images: number;
}

/**
 * Lists DIR/<identity>/<image>. Hidden entries are skipped; at least two identities with two images are required.
 * `people` keeps only the named identity folders (LFW's peopleDevTrain.txt: the development split's training people).
 */
export function readImageDataset(dir: string, people?: ReadonlySet<string>): ImageDataset {
  const root = path.resolve(dir);
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch (error) {
    throw new LearnInputError(`cannot read the dataset folder ${root}: ${(error as Error).message}`, 'data');
  }
  const identities = entries
    .filter((entry) => !entry.name.startsWith('.') && (!people || people.has(entry.name)) && isKind(root, entry, 'directory'))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ id: name, faces: listImages(path.join(root, name)) }))
    .filter((identity) => identity.faces.length > 0);
  const usable = identities.filter((identity) => identity.faces.length >= 2).length;
  if (usable < 2) {
    throw new LearnInputError(`${root} needs at least two identity folders with two or more images each (found ${usable})`, 'data');
  }
  return { root, identities, images: identities.reduce((sum, identity) => sum + identity.faces.length, 0) };
}

/**
 * The names in a people file of LFW's format (people.txt, peopleDevTrain.txt): lines "<name>\t<count>",
 * optionally after a count line (people.txt repeats count + block per fold). Anything else is an error.
 */
export function readPeopleFile(file: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LearnInputError(`cannot read the people file ${file}: ${(error as Error).message}`, 'people');
  }
  const names = new Set<string>();
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '' || (fields.length === 1 && /^\d+$/.test(fields[0]!))) continue; // blank, or a count line
    if (fields.length !== 2 || !/^\d+$/.test(fields[1]!)) throw new LearnInputError(`${file}:${index + 1}: expected "<name> <count>", got "${line}"`, 'people');
    names.add(fields[0]!);
  }
  if (names.size === 0) throw new LearnInputError(`${file} names no people`, 'people');
  return names;
}

function listImages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && IMAGE_EXTENSIONS.has(path.extname(entry.name).toLowerCase()) && isKind(dir, entry, 'file'))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/** What a directory entry is, following a symbolic link (a dataset assembled from links to LFW folders). */
function isKind(dir: string, entry: Dirent, kind: 'file' | 'directory'): boolean {
  if (!entry.isSymbolicLink()) return kind === 'file' ? entry.isFile() : entry.isDirectory();
  try {
    const target = statSync(path.join(dir, entry.name));
    return kind === 'file' ? target.isFile() : target.isDirectory();
  } catch {
    return false; // a dangling link
  }
}

export interface ImageLoaderOptions {
  /** Network input, [height, width]. */
  readonly size: readonly [number, number];
  /** Side fraction of the image kept around its centre before resizing (1 = whole image). Default 1. */
  readonly cropFraction?: number;
  /** Decoded images kept in memory (LRU; 48 KB each at NNS2's 140×116). Default 2048; 0 disables the cache. */
  readonly cacheSize?: number;
}

/** Decodes images to float batches; owns a byte cache. */
export class ImageLoader {
  readonly height: number;
  readonly width: number;
  private readonly cropFraction: number;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, Promise<Uint8Array>>();
  decoded = 0;
  cacheHits = 0;

  constructor(options: ImageLoaderOptions) {
    const [height, width] = options.size;
    if (!(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0)) {
      throw new LearnInputError(`image size must be two positive integers, got ${options.size.join('×')}`, 'size');
    }
    const cropFraction = options.cropFraction ?? 1;
    if (!(cropFraction > 0 && cropFraction <= 1)) throw new LearnInputError(`crop fraction must be in (0, 1], got ${cropFraction}`, 'cropFraction');
    const cacheSize = options.cacheSize ?? 2048;
    if (!(Number.isInteger(cacheSize) && cacheSize >= 0)) throw new LearnInputError(`cache size must be an integer ≥ 0, got ${cacheSize}`, 'cacheSize');
    this.height = height;
    this.width = width;
    this.cropFraction = cropFraction;
    this.cacheSize = cacheSize;
  }

  /** [files, height, width, 3] row-major, values in [0, 1]. Files are decoded concurrently (sharp's own threads). */
  async loadBatch(files: readonly string[]): Promise<Float32Array> {
    const pixels = this.height * this.width * 3;
    const out = new Float32Array(files.length * pixels);
    const images = await Promise.all(files.map((file) => this.bytes(file)));
    images.forEach((bytes, i) => {
      for (let k = 0; k < pixels; k++) out[i * pixels + k] = bytes[k]! / 255;
    });
    return out;
  }

  /** The decoded bytes; a file asked for twice while decoding is decoded once (the cache holds promises). */
  private bytes(file: string): Promise<Uint8Array> {
    const cached = this.cache.get(file);
    if (cached) {
      this.cache.delete(file); // re-inserted: most recently used last
      this.cache.set(file, cached);
      this.cacheHits++;
      return cached;
    }
    const pending = this.decode(file);
    this.decoded++;
    if (this.cacheSize > 0) {
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(file, pending);
      pending.catch(() => this.cache.delete(file)); // a failure is reported to the caller, not cached
    }
    return pending;
  }

  private async decode(file: string): Promise<Uint8Array> {
    try {
      let image = sharp(file, { pages: 1 }).rotate(); // EXIF orientation first: the crop is of the upright image
      if (this.cropFraction < 1) {
        const { width, height } = (await sharp(file, { pages: 1 }).metadata()).autoOrient; // upright size
        const cropWidth = Math.max(1, Math.round(width * this.cropFraction));
        const cropHeight = Math.max(1, Math.round(height * this.cropFraction));
        image = image.extract({ left: Math.floor((width - cropWidth) / 2), top: Math.floor((height - cropHeight) / 2), width: cropWidth, height: cropHeight });
      }
      const { data, info } = await image
        .resize({ width: this.width, height: this.height, fit: 'cover', position: 'centre' })
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .removeAlpha()
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3 || data.length !== this.height * this.width * 3) {
        throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, not ${this.width}×${this.height}×3`);
      }
      return new Uint8Array(data.buffer, data.byteOffset, data.length);
    } catch (error) {
      throw new LearnInputError(`cannot decode ${file}: ${(error as Error).message}`, file);
    }
  }
}
