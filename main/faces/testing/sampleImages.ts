/** TEST ONLY. face-api's six demo photos (1920 px wide, up to a few dozen faces), decoded with sharp to RgbImage. */
import path from 'node:path';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import type { RgbImage } from '../../core/types.ts';

const require = createRequire(import.meta.url);
const demoDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

export const SAMPLE_NAMES = ['sample1', 'sample2', 'sample3', 'sample4', 'sample5', 'sample6'] as const;

/** The whole photo, or the region `crop` of it (to put faces against the image border). */
export async function loadSample(name: string, crop?: { left: number; top: number; width: number; height: number }): Promise<RgbImage> {
  const decoder = sharp(path.join(demoDir, `${name}.jpg`));
  const { data, info } = await (crop ? decoder.extract(crop) : decoder)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}
