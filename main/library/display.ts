/**
 * A JPEG of a photo for display, for formats a browser cannot show (HEIC, camera RAW, TIFF): decoded as the scan
 * decodes it (decode.ts: libheif for HEIC, the embedded JPEG for RAW, EXIF orientation applied), so the picture
 * the user sees is the one the face boxes were measured on. For a video: the frame at `timeSeconds` (default the
 * first), as a poster; playing the video itself is the media route's business.
 */
import sharp from 'sharp';
import { decodeImage } from './decode.ts';
import { ImageDecodeError } from './errors.ts';
import { frameAt, isVideoPath } from './video.ts';

export interface DisplayOptions {
  /** Longest side in pixels (default 2560: sharp on a large screen, a fraction of a 24 MP photo). */
  maxSide?: number;
  /** JPEG quality (default 88). */
  quality?: number;
  /** Videos: the time of the frame shown, seconds (default 0). */
  timeSeconds?: number;
}

/** The upright photo (or video frame) as JPEG. Throws the ImageDecodeError or VideoError naming the file. */
export async function displayJpeg(file: string, options: DisplayOptions = {}): Promise<Buffer> {
  const maxSide = options.maxSide ?? 2560;
  let image;
  if (isVideoPath(file)) image = await frameAt(file, options.timeSeconds ?? 0, { maxSide });
  else {
    const decoded = await decodeImage(file, { maxSide });
    if (decoded instanceof ImageDecodeError) throw decoded;
    image = decoded.image;
  }
  const { data, width, height } = image;
  return sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: options.quality ?? 88 }).toBuffer();
}
