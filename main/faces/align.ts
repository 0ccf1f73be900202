/**
 * Face alignment: a least-squares similarity transform (rotation, uniform scale, translation)
 * that carries detected landmarks onto an embedder's canonical template, and the warp that
 * produces the aligned crop. Pure maths over arrays; no tfjs, no I/O.
 */
import type { AlignmentTemplate, Point, RgbImage } from '../core/types.ts';

/** x' = a·x − b·y + tx ;  y' = b·x + a·y + ty  (a = s·cosθ, b = s·sinθ). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export class AlignmentError extends Error {
  override readonly name = 'AlignmentError';
}

/**
 * Least-squares similarity mapping `from` onto `to` (Umeyama 1991 without reflection).
 * Closed form: with centred points, a = Σ(x·x' + y·y') / Σ|p|², b = Σ(x·y' − y·x') / Σ|p|².
 */
export function similarityTransform(from: readonly Point[], to: readonly Point[]): Similarity {
  if (from.length !== to.length || from.length < 2) {
    throw new AlignmentError(`need at least two point pairs of equal count, got ${from.length} and ${to.length}`);
  }
  const n = from.length;
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]!.x; fy += from[i]!.y; tx += to[i]!.x; ty += to[i]!.y;
  }
  fx /= n; fy /= n; tx /= n; ty /= n;
  let norm = 0, dotSum = 0, crossSum = 0;
  for (let i = 0; i < n; i++) {
    const x = from[i]!.x - fx, y = from[i]!.y - fy;
    const u = to[i]!.x - tx, v = to[i]!.y - ty;
    norm += x * x + y * y;
    dotSum += x * u + y * v;
    crossSum += x * v - y * u;
  }
  if (!(norm > 1e-12)) throw new AlignmentError('landmarks are degenerate (all at one point)');
  const a = dotSum / norm;
  const b = crossSum / norm;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

export function invertSimilarity(t: Similarity): Similarity {
  const det = t.a * t.a + t.b * t.b;
  if (!(det > 1e-20)) throw new AlignmentError('transform is singular');
  const a = t.a / det, b = -t.b / det;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** Template points in crop pixels (the template stores fractions of the crop side). */
export function templatePixels(template: AlignmentTemplate): Point[] {
  return template.points.map((p) => ({ x: p.x * template.size, y: p.y * template.size }));
}

/**
 * Warps `image` so that `landmarks` land on the template; returns a size×size crop.
 * Each output pixel centre is mapped back into the source and sampled bilinearly;
 * samples outside the image read as black (as dlib's extract_image_chip does).
 */
export function alignToTemplate(image: RgbImage, landmarks: readonly Point[], template: AlignmentTemplate): RgbImage {
  const toCrop = similarityTransform(landmarks, templatePixels(template));
  return warpSimilarity(image, invertSimilarity(toCrop), template.size, template.size);
}

/**
 * Aligns with all 68 landmarks where the template has a dense layout (dlib's fit), else with the five.
 * landmarks68: the iBUG-68 points in image pixels, when the detector found them.
 */
export function alignFace(image: RgbImage, five: readonly Point[], landmarks68: readonly Point[] | undefined, template: AlignmentTemplate): RgbImage {
  const dense = template.dense;
  if (!dense || !landmarks68 || landmarks68.length !== 68) return alignToTemplate(image, five, template);
  const from = dense.indices.map((i) => landmarks68[i]!);
  const to = dense.points.map((p) => ({ x: p.x * template.size, y: p.y * template.size }));
  return warpSimilarity(image, invertSimilarity(similarityTransform(from, to)), template.size, template.size);
}

/** Output pixel (u, v) samples the source at cropToImage(u, v); pixel centres at integer coordinates. */
export function warpSimilarity(image: RgbImage, cropToImage: Similarity, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const { data, width: w, height: h } = image;
  const { a, b, tx, ty } = cropToImage;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const sx = a * u - b * v + tx;
      const sy = b * u + a * v + ty;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      const o = (v * width + u) * 3;
      for (let c = 0; c < 3; c++) {
        const p00 = x0 >= 0 && y0 >= 0 && x0 < w && y0 < h ? data[(y0 * w + x0) * 3 + c]! : 0;
        const p10 = x0 + 1 >= 0 && y0 >= 0 && x0 + 1 < w && y0 < h ? data[(y0 * w + x0 + 1) * 3 + c]! : 0;
        const p01 = x0 >= 0 && y0 + 1 >= 0 && x0 < w && y0 + 1 < h ? data[((y0 + 1) * w + x0) * 3 + c]! : 0;
        const p11 = x0 + 1 >= 0 && y0 + 1 >= 0 && x0 + 1 < w && y0 + 1 < h ? data[((y0 + 1) * w + x0 + 1) * 3 + c]! : 0;
        const top = p00 + (p10 - p00) * fx;
        const bottom = p01 + (p11 - p01) * fx;
        out[o + c] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return { data: out, width, height };
}

/** Mirror image left-right (for flip-averaged embeddings). */
export function flipHorizontal(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3, to = (y * width + (width - 1 - x)) * 3;
      out[to] = data[from]!; out[to + 1] = data[from + 1]!; out[to + 2] = data[from + 2]!;
    }
  }
  return { data: out, width, height };
}
