/**
 * The small-face pass's geometry, pure: which tiles of which pyramid levels a detector with a fixed
 * square input must see so that faces down to `minFace` pixels are found, and how the boxes from the
 * whole image and from every tile are merged into one list of faces.
 *
 * A detector whose input is `inputSize` px reliably finds faces of `detectableFace` px or more in that
 * input (SSD MobileNetV1 at 512: about 30 px, measured with `facet bench detect`). The whole image,
 * shrunk to the input, finds faces of detectableFace * side / inputSize px and up. Each finer level l
 * is the image scaled by s_l (finest: detectableFace / minFace; each next coarser one `levelRatio`
 * times smaller, until the whole image takes over), cut into inputSize tiles that overlap by the
 * largest face that level answers for (the smallest face the next coarser level finds, with 10% to
 * spare), so every face of a level lies wholly inside at least one of its tiles.
 */
import type { Box } from '../core/types.ts';

export interface TilingOptions {
  /** The detector's square input side, px. */
  inputSize: number;
  /** Smallest face to find, px of the image. */
  minFace: number;
  /** Smallest face the detector finds reliably, px of its input. */
  detectableFace: number;
  /** Scale ratio between neighbouring levels, > 1. */
  levelRatio: number;
}

export interface PyramidLevel {
  /** Level pixels per image pixel, < 1 is a shrink. */
  scale: number;
  /** The level image's size. */
  width: number;
  height: number;
  /** Tiles in level pixels, each inputSize square (smaller only where the level is). */
  tiles: Box[];
}

export class TilingError extends Error {
  override readonly name = 'TilingError';
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

export function checkTilingOptions(options: TilingOptions): void {
  const { inputSize, minFace, detectableFace, levelRatio } = options;
  if (!(Number.isInteger(inputSize) && inputSize >= 32)) throw new TilingError(`inputSize must be an integer >= 32, got ${inputSize}`, 'inputSize');
  if (!(minFace > 0)) throw new TilingError(`minFace must be > 0 px, got ${minFace}`, 'minFace');
  if (!(detectableFace > 0 && detectableFace < inputSize / 2)) {
    throw new TilingError(`detectableFace must lie in (0, ${inputSize / 2}) px, got ${detectableFace}`, 'detectableFace');
  }
  if (!(levelRatio > 1)) throw new TilingError(`levelRatio must be > 1, got ${levelRatio}`, 'levelRatio');
}

/**
 * The tiled levels for an image, finest first; empty when the whole-image pass alone already finds
 * faces of minFace px (the photo is too small for tiles to matter).
 */
export function planPyramid(width: number, height: number, options: TilingOptions): PyramidLevel[] {
  checkTilingOptions(options);
  const { inputSize, minFace, detectableFace, levelRatio } = options;
  const wholeScale = inputSize / Math.max(width, height);
  const levels: PyramidLevel[] = [];
  // Scales above 1 would enlarge the photo: faces smaller than detectableFace px are not there to find.
  let scale = Math.min(1, detectableFace / minFace);
  while (scale > wholeScale * 1.05) {
    const coarser = Math.max(scale / levelRatio, wholeScale);
    // The largest face this level answers for, in level px: what the next level (or the whole image) finds, +10%.
    const overlap = Math.min(inputSize / 2, Math.ceil(((detectableFace / coarser) * scale) * 1.1));
    const levelWidth = Math.max(1, Math.round(width * scale));
    const levelHeight = Math.max(1, Math.round(height * scale));
    levels.push({ scale, width: levelWidth, height: levelHeight, tiles: tileGrid(levelWidth, levelHeight, inputSize, overlap) });
    scale = coarser;
  }
  return levels;
}

/** Tiles of side `tile` covering width x height, neighbours overlapping by at least `overlap`, spread evenly. */
export function tileGrid(width: number, height: number, tile: number, overlap: number): Box[] {
  if (!(overlap >= 0 && overlap < tile)) throw new TilingError(`overlap must lie in [0, ${tile}), got ${overlap}`, 'overlap');
  const xs = positions(width, tile, overlap), ys = positions(height, tile, overlap);
  const tw = Math.min(tile, width), th = Math.min(tile, height);
  return ys.flatMap((y) => xs.map((x) => ({ x, y, width: tw, height: th })));
}

function positions(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [0];
  const count = Math.ceil((length - overlap) / (tile - overlap));
  const step = (length - tile) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
}

export interface Candidate {
  box: Box;
  score: number;
}

/**
 * Whether a box found in a tile touches one of the tile's edges that lies inside the level image:
 * such a face may be cut, and the overlap guarantees a neighbour tile sees it whole.
 */
export function touchesInnerEdge(box: Box, tile: Box, levelWidth: number, levelHeight: number, margin = 1): boolean {
  return (tile.x > 0 && box.x <= tile.x + margin)
    || (tile.y > 0 && box.y <= tile.y + margin)
    || (tile.x + tile.width < levelWidth && box.x + box.width >= tile.x + tile.width - margin)
    || (tile.y + tile.height < levelHeight && box.y + box.height >= tile.y + tile.height - margin);
}

/** Intersection over the smaller box's area: 1 when one box lies inside the other. */
export function overlapOfSmaller(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const smaller = Math.min(a.width * a.height, b.width * b.height);
  return smaller > 0 ? (w * h) / smaller : 0;
}

/**
 * Greedy non-maximum suppression over candidates from every pass, in priority order: the whole image
 * first, then the levels from coarse to fine, each pass's boxes best first. A candidate is dropped when
 * it and an already kept box overlap by more than `threshold` of the smaller one: the same face from
 * another tile or level, or a part of a larger face (an eye, a mouth) seen as a face in a finer tile,
 * which the coarser pass found whole first. Returns the kept candidates in that order.
 */
export function mergeDetections<T extends Candidate>(candidates: readonly T[], threshold = 0.5): T[] {
  const kept: T[] = [];
  for (const candidate of candidates) {
    if (kept.every((other) => overlapOfSmaller(candidate.box, other.box) <= threshold)) kept.push(candidate);
  }
  return kept;
}

/** A box in level (or tile) pixels back in image pixels. */
export function toImageBox(box: Box, scale: number, offsetX = 0, offsetY = 0): Box {
  return { x: (box.x + offsetX) / scale, y: (box.y + offsetY) / scale, width: box.width / scale, height: box.height / scale };
}
