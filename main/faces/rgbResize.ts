/** RGB image shrinking and cropping in plain JS (pure, no sharp): the small-face pass's pyramid levels and tiles. */
import type { RgbImage } from '../core/types.ts';

/**
 * The image shrunk to width x height by averaging the source pixels each output pixel covers (an area
 * filter: no aliasing however large the shrink). A size equal to the source's returns the source.
 */
export function shrinkArea(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) return image;
  checkShrinkSize('shrinkArea', image, width, height);
  const { data, width: sw, height: sh } = image;
  const out = new Uint8Array(width * height * 3);
  const fx = sw / width, fy = sh / height;
  const x0s = new Int32Array(width + 1);
  for (let x = 0; x <= width; x++) x0s[x] = Math.min(sw, Math.round(x * fx));
  const sums = new Float64Array(width * 3);
  for (let y = 0; y < height; y++) {
    const y0 = Math.min(sh, Math.round(y * fy)), y1 = Math.max(y0 + 1, Math.min(sh, Math.round((y + 1) * fy)));
    sums.fill(0);
    for (let sy = y0; sy < y1; sy++) {
      const row = sy * sw * 3;
      for (let x = 0; x < width; x++) {
        const a = x0s[x]!, b = Math.max(a + 1, x0s[x + 1]!);
        let r = 0, g = 0, bl = 0;
        for (let sx = a; sx < b; sx++) {
          const i = row + sx * 3;
          r += data[i]!; g += data[i + 1]!; bl += data[i + 2]!;
        }
        sums[x * 3] += r; sums[x * 3 + 1] += g; sums[x * 3 + 2] += bl;
      }
    }
    for (let x = 0; x < width; x++) {
      const a = x0s[x]!, b = Math.max(a + 1, x0s[x + 1]!);
      const count = (b - a) * (y1 - y0);
      const o = (y * width + x) * 3;
      out[o] = Math.round(sums[x * 3]! / count);
      out[o + 1] = Math.round(sums[x * 3 + 1]! / count);
      out[o + 2] = Math.round(sums[x * 3 + 2]! / count);
    }
  }
  return { data: out, width, height };
}

/** A shrink's target size: whole pixels, at least 1, at most the image's (a RangeError naming `caller` otherwise). */
export function checkShrinkSize(caller: string, image: RgbImage, width: number, height: number): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1 && width <= image.width && height <= image.height)) {
    throw new RangeError(`${caller}: ${image.width}x${image.height} cannot shrink to ${width}x${height}`);
  }
}

/** The pixels of an integer rectangle wholly inside the image, as their own image. */
export function cropRgb(image: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  if (!(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && width >= 1 && height >= 1 && x + width <= image.width && y + height <= image.height)) {
    throw new RangeError(`cropRgb: ${width}x${height} at ${x},${y} is not inside ${image.width}x${image.height}`);
  }
  const out = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 3;
    out.set(image.data.subarray(from, from + width * 3), row * width * 3);
  }
  return { data: out, width, height };
}
