/**
 * Face thumbnails for the UI, cut from the image already decoded for detection (no second decode).
 */
import sharp from 'sharp';
import type { Box, RgbImage } from '../core/types.ts';

export interface ThumbnailOptions {
  /** Extra room around the box on each side, as a fraction of the box's longer side (default 0.25). */
  margin?: number;
  /** JPEG quality 1-100 (default 85). */
  quality?: number;
}

/**
 * A size x size JPEG of the face: a square centred on the box, its side the box's longer side
 * plus the margin on both sides. Parts of the square outside the image are black, so the face
 * stays centred at the edge of a photo. `box` is in `image` pixels.
 */
export async function faceThumbnail(image: RgbImage, box: Box, size = 112, options: ThumbnailOptions = {}): Promise<Buffer> {
  const margin = options.margin ?? 0.25;
  const quality = options.quality ?? 85;
  if (![box.x, box.y, box.width, box.height].every(Number.isFinite) || box.width <= 0 || box.height <= 0) {
    throw new RangeError(`faceThumbnail: box ${JSON.stringify(box)} is not a positive, finite rectangle`);
  }
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`faceThumbnail: size must be a positive integer, got ${size}`);

  const side = Math.max(1, Math.round(Math.max(box.width, box.height) * (1 + 2 * margin)));
  const left = Math.round(box.x + box.width / 2 - side / 2);
  const top = Math.round(box.y + box.height / 2 - side / 2);
  if (left >= image.width || top >= image.height || left + side <= 0 || top + side <= 0) {
    throw new RangeError(`faceThumbnail: box ${JSON.stringify(box)} lies outside the ${image.width}x${image.height} image`);
  }

  const crop = cropSquare(image, left, top, side);
  return sharp(crop, { raw: { width: side, height: side, channels: 3 } })
    .resize(size, size)
    .jpeg({ quality })
    .toBuffer();
}

/** The side x side square at (left, top) of `image`; pixels beyond the image are black. [side * side * 3] */
function cropSquare(image: RgbImage, left: number, top: number, side: number): Uint8Array {
  const out = new Uint8Array(side * side * 3);
  const x0 = Math.max(0, left);
  const x1 = Math.min(image.width, left + side);
  for (let y = Math.max(0, top); y < Math.min(image.height, top + side); y++) {
    const from = (y * image.width + x0) * 3;
    out.set(image.data.subarray(from, from + (x1 - x0) * 3), ((y - top) * side + (x0 - left)) * 3);
  }
  return out;
}
