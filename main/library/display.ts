/**
 * A JPEG of a photo for display, for formats a browser cannot show (HEIC, camera RAW, TIFF): decoded as the scan
 * decodes it (decode.ts: libheif for HEIC, the embedded JPEG for RAW, EXIF orientation applied), so the picture
 * the user sees is the one the face boxes were measured on. Videos are served as they are and are not handled here.
 */
import sharp from 'sharp';
import { decodeImage } from './decode.ts';
import { ImageDecodeError } from './errors.ts';

export interface DisplayOptions {
  /** Longest side in pixels (default 2560: sharp on a large screen, a fraction of a 24 MP photo). */
  maxSide?: number;
  /** JPEG quality (default 88). */
  quality?: number;
}

/** The upright photo as JPEG. Throws the ImageDecodeError naming the file when it cannot be read. */
export async function displayJpeg(file: string, options: DisplayOptions = {}): Promise<Buffer> {
  const decoded = await decodeImage(file, { maxSide: options.maxSide ?? 2560 });
  if (decoded instanceof ImageDecodeError) throw decoded;
  const { data, width, height } = decoded.image;
  return sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: options.quality ?? 88 }).toBuffer();
}
