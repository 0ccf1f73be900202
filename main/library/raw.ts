/**
 * Camera RAW files (DNG, CR2, CR3, NEF, ARW, ORF, RAF, RW2): faces are found on the full-size JPEG the camera
 * embeds (JpgFromRaw, else the largest PreviewImage), which ExifTool extracts; demosaicing the sensor data
 * would cost seconds per photo and show the detector nothing more. Boxes are mapped to the RAW's own upright size.
 *
 * A RAW beside a JPEG or HEIC of the same name (IMG_0001.CR2 + IMG_0001.JPG, as cameras write in RAW+JPEG
 * mode) is the same photo: only the JPEG is analysed and shown, and the RAW is its sibling (see siblings.ts).
 *
 * ExifTool (Perl, inside the exiftool-vendored.pl package) runs once per RAW file, with a time limit and an
 * abort signal, so a hung or damaged file cannot hold a scan; no process pool is left behind by a worker.
 */
import { execFile } from 'node:child_process';
import { endWithFacet, guardedEnv } from './childGuard.ts';
import path from 'node:path';
import { exifDateToIso } from './exif.ts';

export const RAW_EXTENSIONS: ReadonlySet<string> = new Set(['.dng', '.cr2', '.cr3', '.nef', '.arw', '.orf', '.raf', '.rw2']);

export function isRawPath(file: string): boolean {
  return RAW_EXTENSIONS.has(path.extname(file).toLowerCase());
}

export interface RawPreview {
  /** The embedded JPEG, as stored (its own EXIF, if any, included). */
  jpeg: Buffer;
  /** Which tag it came from: JpgFromRaw (full size) or PreviewImage. */
  source: 'JpgFromRaw' | 'PreviewImage' | 'OtherImage';
  /** The RAW's Orientation (1-8), applied to the preview when the preview has none of its own. */
  orientation: number;
  /** The RAW's stored (not rotated) size in pixels, when ExifTool reports one. */
  rawWidth?: number;
  rawHeight?: number;
  /** DateTimeOriginal with its offset, as ISO 8601. */
  takenAt?: string;
}

export class RawPreviewError extends Error {
  override readonly name = 'RawPreviewError';
  constructor(readonly file: string, readonly reason: 'no-preview' | 'exiftool-failed', message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const EXIFTOOL_TIMEOUT_MS = 60_000;
const PREVIEW_TAGS = ['JpgFromRaw', 'PreviewImage', 'OtherImage'] as const;

let exiftoolBinary: Promise<string> | undefined;

/** The vendored ExifTool script; FACET_EXIFTOOL overrides it (tests of the failure path). */
function exiftool(): Promise<string> {
  exiftoolBinary ??= process.env['FACET_EXIFTOOL']
    ? Promise.resolve(process.env['FACET_EXIFTOOL'])
    : import('exiftool-vendored').then((module) => module.exiftoolPath());
  return exiftoolBinary;
}

/** Extracts the largest embedded JPEG and what is needed to place it. Throws RawPreviewError naming the file. */
export async function extractRawPreview(file: string, signal?: AbortSignal): Promise<RawPreview> {
  const args = ['-j', '-n', '-b', '-G1', ...PREVIEW_TAGS.map((tag) => `-${tag}`), '-Orientation', '-ImageWidth', '-ImageHeight',
    '-DefaultCropSize', '-DateTimeOriginal', '-OffsetTimeOriginal', '--', file];
  let stdout: string;
  try {
    stdout = await new Promise<string>((resolve, reject) => {
      exiftool().then((binary) => {
        endWithFacet(execFile(binary, args, { timeout: EXIFTOOL_TIMEOUT_MS, maxBuffer: 512 * 1024 * 1024, signal, encoding: 'utf8', env: guardedEnv() }, (error, out) => {
          if (error) reject(error);
          else resolve(out);
        }));
      }, reject);
    });
  } catch (cause) {
    throw new RawPreviewError(file, 'exiftool-failed', `${file}: ExifTool could not read this RAW file (${(cause as Error).message.split('\n')[0]})`, { cause });
  }
  const tags = parseExiftoolJson(file, stdout);
  const previews = PREVIEW_TAGS.flatMap((tag) => binaryValues(tags, tag).map((jpeg) => ({ tag, jpeg })))
    .filter(({ jpeg }) => jpeg[0] === 0xff && jpeg[1] === 0xd8); // JPEG only: some cameras store TIFF or raw thumbnails
  if (previews.length === 0) throw new RawPreviewError(file, 'no-preview', `${file} has no embedded JPEG preview that ExifTool can extract`);
  const best = previews.reduce((a, b) => (b.jpeg.length > a.jpeg.length ? b : a));
  const { width: rawWidth, height: rawHeight } = rawSize(tags);
  const orientation = firstNumber(tags, 'Orientation');
  return {
    jpeg: best.jpeg,
    source: best.tag,
    orientation: orientation !== undefined && orientation >= 1 && orientation <= 8 ? orientation : 1,
    ...(rawWidth && rawHeight ? { rawWidth, rawHeight } : {}),
    takenAt: exifDateFromTags(tags),
  };
}

type TagMap = Record<string, unknown>;

function parseExiftoolJson(file: string, stdout: string): TagMap {
  try {
    const parsed = JSON.parse(stdout) as TagMap[];
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'object') throw new Error('not an array of objects');
    return parsed[0]!;
  } catch (cause) {
    throw new RawPreviewError(file, 'exiftool-failed', `${file}: ExifTool's output could not be read (${(cause as Error).message})`, { cause });
  }
}

/** Values of `tag` in every group (-G1 keys such as "IFD0:PreviewImage", "SubIFD1:JpgFromRaw"). */
function valuesOf(tags: TagMap, tag: string): unknown[] {
  return Object.entries(tags).filter(([key]) => key === tag || key.endsWith(`:${tag}`)).map(([, value]) => value);
}

function binaryValues(tags: TagMap, tag: string): Buffer[] {
  return valuesOf(tags, tag)
    .filter((value): value is string => typeof value === 'string' && value.startsWith('base64:'))
    .map((value) => Buffer.from(value.slice('base64:'.length), 'base64'));
}

function firstNumber(tags: TagMap, tag: string): number | undefined {
  return valuesOf(tags, tag).find((value): value is number => typeof value === 'number');
}

/** DNG's DefaultCropSize is the developed image's size; otherwise the largest ImageWidth x ImageHeight pair of a group. */
function rawSize(tags: TagMap): { width?: number; height?: number } {
  const crop = valuesOf(tags, 'DefaultCropSize').find((value): value is string => typeof value === 'string');
  const cropMatch = crop ? /^(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)$/.exec(crop) : null;
  if (cropMatch) return { width: Math.round(Number(cropMatch[1])), height: Math.round(Number(cropMatch[2])) };
  let best: { width?: number; height?: number } = {};
  for (const [key, value] of Object.entries(tags)) {
    if (!key.endsWith('ImageWidth') || typeof value !== 'number') continue;
    const height = tags[key.replace(/ImageWidth$/, 'ImageHeight')];
    if (typeof height === 'number' && value * height > (best.width ?? 0) * (best.height ?? 0)) best = { width: value, height };
  }
  return best;
}

/** ExifTool prints EXIF dates as stored ("2019:07:14 15:03:22", "+02:00"): normalised as an EXIF block's are. */
function exifDateFromTags(tags: TagMap): string | undefined {
  const taken = valuesOf(tags, 'DateTimeOriginal').find((value): value is string => typeof value === 'string');
  const offset = valuesOf(tags, 'OffsetTimeOriginal').find((value): value is string => typeof value === 'string');
  return taken === undefined ? undefined : exifDateToIso(taken, offset);
}
