/**
 * Decodes one photo for face detection: upright, 8-bit sRGB, 3 channels, shrunk to what the
 * detector needs. Every failure comes back as an ImageDecodeError value naming the file.
 */
import fs from 'node:fs/promises';
import sharp from 'sharp';
import type { Box, DateSource, RgbImage } from '../core/types.ts';
import { chooseDateTaken, parseXmpDateTaken } from './dates.ts';
import { ImageDecodeError, type ImageDecodeReason } from './errors.ts';
import { parseExifDateTaken, parseExifOrientation } from './exif.ts';
import { decodeHeicPixels, heifHasTransform, orientationOperations } from './heic.ts';
import { extractRawPreview, isRawPath, RawPreviewError } from './raw.ts';

export interface DecodeOptions {
  /**
   * Longest side of the decoded image in pixels (default 4096; Infinity keeps full size). A phone's
   * 12 MP photo (4032x3024) decodes whole, so the small-face pass sees its 40 px faces; larger photos
   * shrink while decoding (for JPEG inside libjpeg, by DCT scaling), which bounds a worker's memory:
   * at most 4096x4096x3 bytes of pixels, whatever the photo declares.
   */
  maxSide?: number;
  /** Images declaring more pixels are refused before decoding (default 200 MP): a decompression-bomb guard. */
  maxInputPixels?: number;
  /** Videos: how frames are sampled (see video.ts; defaults one per second, at most 60 per video). */
  video?: { everySeconds?: number; maxFrames?: number };
}

export const DEFAULT_DECODE_OPTIONS: Readonly<Required<Omit<DecodeOptions, 'video'>>> = {
  maxSide: 4096,
  maxInputPixels: 200_000_000,
};

export interface DecodedImage {
  file: string;
  /** Upright (EXIF orientation applied), longest side at most maxSide. */
  image: RgbImage;
  /** The original's size, upright: the pixels the user sees and boxes are stored in. */
  originalWidth: number;
  originalHeight: number;
  /** image.width / originalWidth, at most 1. Decoded pixels / scale = original pixels (see toOriginalBox). */
  scale: number;
  /**
   * The decoder used: jpeg, png, webp, tiff, gif, heif (libvips; AVIF among them), heic (libheif in WebAssembly,
   * where libvips has no HEVC decoder), raw (a camera RAW's embedded JPEG, see raw.ts).
   */
  format: string;
  /** Date taken, ISO 8601 (see dates.ts): from EXIF, else XMP, else the file's modification time. */
  takenAt?: string;
  /** Where takenAt came from; 'file' means the modification time, a guess. */
  dateSource?: DateSource;
}

/**
 * Whether this build of libvips decodes HEIC (HEVC). sharp's prebuilt binaries carry only the AV1
 * decoder, for patent reasons; where it is missing HEIC goes through heic-decode (heic.ts). AVIF always works.
 */
export const HEIC_SUPPORTED: boolean = sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;

export async function decodeImage(file: string, options: DecodeOptions = {}): Promise<DecodedImage | ImageDecodeError> {
  const { maxSide, maxInputPixels } = validateOptions(options);
  try {
    const source = await openSource(file, maxInputPixels);
    if (source instanceof ImageDecodeError) return source;
    const refused = checkPixelLimit(file, source.stored, maxInputPixels);
    if (refused) return refused;

    // Upright first: EXIF orientation (sharp's own for libvips inputs), or the operations for pixels from elsewhere.
    let pipeline = source.input;
    if (source.orientation === 'exif') pipeline = pipeline.rotate();
    else {
      const { flop, flip, rotate } = orientationOperations(source.orientation);
      if (flop) pipeline = pipeline.flop();
      if (flip) pipeline = pipeline.flip();
      if (rotate) pipeline = pipeline.rotate(rotate);
    }
    const { data, info } = await pipeline
      .resize({
        width: Number.isFinite(maxSide) ? maxSide : undefined,
        height: Number.isFinite(maxSide) ? maxSide : undefined,
        fit: 'inside',
        withoutEnlargement: true,
        fastShrinkOnLoad: true, // JPEG/WebP shrink while decoding
        // The rest of the reduction: linear costs about a quarter less CPU than the default lanczos3
        // (measured on a 1920x1280 JPEG to 1600) and a detector cannot tell the difference.
        kernel: 'linear',
      })
      .flatten({ background: '#ffffff' }) // transparent pixels become white, not whatever RGB they hide
      .toColourspace('srgb') // CMYK, greyscale and 16-bit inputs all end as 8-bit sRGB
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      return new ImageDecodeError(file, 'unsupported-format', `${file} decoded to ${info.channels} channels, not RGB`);
    }

    const { width: originalWidth, height: originalHeight } = source.upright;
    const date = chooseDateTaken({
      exif: source.exifDate ?? (source.exif ? parseExifDateTaken(source.exif) : undefined),
      xmp: source.xmp ? parseXmpDateTaken(source.xmp) : undefined,
    }, (await fs.stat(file)).mtimeMs);
    return {
      file,
      image: { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height },
      originalWidth,
      originalHeight,
      scale: info.width / originalWidth,
      format: source.format,
      takenAt: date.takenAt,
      dateSource: date.source,
    };
  } catch (cause) {
    return await explainFailure(file, cause);
  }
}

/** Where the pixels come from, before the common upright-shrink-sRGB steps. */
interface ImageSource {
  input: sharp.Sharp;
  /** 'exif': let sharp apply the input's own EXIF orientation; a number: the EXIF orientation to apply by hand. */
  orientation: 'exif' | number | undefined;
  /** Pixels as stored, checked against maxInputPixels. */
  stored: { width: number; height: number };
  /** The original's upright size, the pixels boxes are stored in (a RAW's, not its preview's). */
  upright: { width: number; height: number };
  format: string;
  exif?: Uint8Array;
  xmp?: Uint8Array;
  /** A date already read (RAW, through ExifTool). */
  exifDate?: string;
}

async function openSource(file: string, maxInputPixels: number): Promise<ImageSource | ImageDecodeError> {
  if (isRawPath(file)) return openRaw(file, maxInputPixels);
  // pages: 1 -> the first frame of an animated GIF/WebP, the first page of a TIFF.
  const input = sharp(file, { limitInputPixels: maxInputPixels, pages: 1 });
  const meta = await input.metadata(); // header only
  if (meta.format === 'heif' && meta.compression === 'hevc' && !HEIC_SUPPORTED) return openHeic(file, meta, maxInputPixels);
  return {
    input, orientation: 'exif', stored: { width: meta.width, height: meta.height }, upright: meta.autoOrient,
    format: meta.format, exif: meta.exif, xmp: meta.xmp,
  };
}

/** Images declaring more pixels than the limit are refused before decoding (a decompression-bomb guard). */
function checkPixelLimit(file: string, { width, height }: { width: number; height: number }, maxInputPixels: number): ImageDecodeError | undefined {
  if (width * height <= maxInputPixels) return undefined;
  const megapixels = Math.round((width * height) / 1e6);
  return new ImageDecodeError(file, 'too-large', `${file} declares ${width}x${height} pixels (${megapixels} MP), over the ${Math.round(maxInputPixels / 1e6)} MP limit`);
}

/** HEIC where libvips has no HEVC decoder: libheif in WebAssembly, which applies the HEIF irot/imir transforms. */
async function openHeic(file: string, meta: sharp.Metadata, maxInputPixels: number): Promise<ImageSource | ImageDecodeError> {
  const refused = checkPixelLimit(file, meta, maxInputPixels); // before libheif allocates anything
  if (refused) return refused;
  const buffer = await fs.readFile(file);
  let pixels;
  try {
    pixels = await decodeHeicPixels(buffer);
  } catch (cause) {
    return new ImageDecodeError(file, 'corrupt', `${file} is HEIC that libheif could not decode (${(cause as Error).message})`, { cause });
  }
  // EXIF orientation only when the file has no HEIF transform of its own (see heic.ts).
  const orientation = heifHasTransform(buffer) || !meta.exif ? undefined : parseExifOrientation(meta.exif);
  const quarterTurn = orientation !== undefined && orientation >= 5;
  return {
    input: sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: 4 }, limitInputPixels: maxInputPixels }),
    orientation,
    stored: { width: pixels.width, height: pixels.height },
    upright: quarterTurn ? { width: pixels.height, height: pixels.width } : { width: pixels.width, height: pixels.height },
    format: 'heic',
    exif: meta.exif,
    xmp: meta.xmp,
  };
}

/** A camera RAW: its embedded JPEG, upright by its own EXIF or else the RAW's orientation, placed in the RAW's size. */
async function openRaw(file: string, maxInputPixels: number): Promise<ImageSource | ImageDecodeError> {
  let preview;
  try {
    preview = await extractRawPreview(file);
  } catch (cause) {
    if (!(cause instanceof RawPreviewError)) throw cause;
    return new ImageDecodeError(file, cause.reason === 'no-preview' ? 'unsupported-format' : 'corrupt', cause.message, { cause });
  }
  const input = sharp(preview.jpeg, { limitInputPixels: maxInputPixels });
  const meta = await input.metadata();
  // Cameras store the preview as the sensor saw it; one that rotated it says so in the preview's own EXIF.
  const own = meta.exif ? parseExifOrientation(meta.exif) : undefined;
  const ownApplies = own !== undefined && own !== 1;
  const orientation = ownApplies ? 'exif' : preview.orientation;
  const quarterTurn = (ownApplies ? own : preview.orientation) >= 5;
  const stored = { width: preview.rawWidth ?? meta.width, height: preview.rawHeight ?? meta.height };
  return {
    input,
    orientation,
    stored: { width: meta.width, height: meta.height },
    upright: quarterTurn ? { width: stored.height, height: stored.width } : stored,
    format: 'raw',
    exifDate: preview.takenAt,
    xmp: meta.xmp,
  };
}

/**
 * decodeImage for callers that cannot go on without the image (evaluation, tests):
 * the ImageDecodeError is thrown instead of returned. A scan uses decodeImage.
 */
export async function decodeForDetection(file: string, options?: DecodeOptions): Promise<DecodedImage> {
  const decoded = await decodeImage(file, options);
  if (decoded instanceof ImageDecodeError) throw decoded;
  return decoded;
}

/** Maps a box measured on the decoded image back to the original's pixels, axis by axis. */
export function toOriginalBox(box: Box, decoded: Pick<DecodedImage, 'image' | 'originalWidth' | 'originalHeight'>): Box {
  const sx = decoded.originalWidth / decoded.image.width;
  const sy = decoded.originalHeight / decoded.image.height;
  return { x: box.x * sx, y: box.y * sy, width: box.width * sx, height: box.height * sy };
}

function validateOptions(options: DecodeOptions): Required<Omit<DecodeOptions, 'video'>> {
  const merged = { ...DEFAULT_DECODE_OPTIONS, ...options };
  const { maxSide, maxInputPixels } = merged;
  if (!(maxSide === Infinity || (Number.isInteger(maxSide) && maxSide > 0))) {
    throw new RangeError(`decode maxSide must be a positive integer or Infinity, got ${maxSide}`);
  }
  if (!(Number.isInteger(maxInputPixels) && maxInputPixels > 0)) {
    throw new RangeError(`decode maxInputPixels must be a positive integer, got ${maxInputPixels}`);
  }
  return merged;
}

/** libvips reports every failure as a plain Error; sort them into reasons the user can act on. */
async function explainFailure(file: string, cause: unknown): Promise<ImageDecodeError> {
  const detail = cause instanceof Error ? cause.message.trim() : String(cause);
  const fail = (reason: ImageDecodeReason, message: string) => new ImageDecodeError(file, reason, message, { cause });
  try {
    const stats = await fs.stat(file);
    if (!stats.isFile()) return fail('unreadable', `${file} is not a file`);
    if (stats.size === 0) return fail('empty', `${file} is empty (0 bytes)`);
  } catch (statError) {
    const code = (statError as NodeJS.ErrnoException).code ?? 'I/O error';
    if (code === 'ENOENT') return fail('unreadable', `${file} no longer exists (deleted or moved while the scan ran)`);
    return fail('unreadable', `${file} cannot be read (${code})`);
  }
  if (/pixel limit/i.test(detail)) return fail('too-large', `${file} is too large to decode (${detail})`);
  if (/unsupported image format|not a known file format|unsupported codec|no decoder/i.test(detail)) {
    return fail('unsupported-format', `${file} is not an image format Facet can read (${detail})`);
  }
  if (/permission denied|EACCES/i.test(detail)) return fail('unreadable', `${file} cannot be read (${detail})`);
  return fail('corrupt', `${file} is damaged or truncated (${detail})`);
}
