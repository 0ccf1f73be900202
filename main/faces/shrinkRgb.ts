/**
 * RGB pixels shrunk by libvips (sharp on raw input), for the small-face pass's proposal level. Six times quicker
 * than the JS area filter (rgbResize.ts) on a 12 MP photo shrunk to 0.4: 13 ms against 76 ms, one thread
 * each. libvips box-filters by the whole part of the factor and reduces the rest with a linear kernel, so the
 * pixels stay within a grey level or so of the area filter's (no aliasing either way).
 */
import sharp from 'sharp';
import type { RgbImage } from '../core/types.ts';
import { checkShrinkSize } from './rgbResize.ts';

export async function shrinkRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (width === image.width && height === image.height) return image;
  checkShrinkSize('shrinkRgb', image, width, height);
  if (image.data.length !== image.width * image.height * 3) {
    throw new RangeError(`shrinkRgb: ${image.data.length} bytes are not ${image.width}x${image.height} RGB pixels`);
  }
  const pixels = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const { data, info } = await sharp(pixels, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 3) {
    throw new Error(`shrinkRgb: libvips gave ${info.width}x${info.height}x${info.channels}, not ${width}x${height}x3`);
  }
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
}
