/**
 * The verification mosaic of the small-face pass's proposal strategy, pure geometry and pixels: each
 * proposal (a box in image pixels) gets a square crop centred on it, `cellSize / faceInCell` times its
 * size, resized so the face is about faceInCell px; up to cellsPerSide² crops are packed as cells of
 * one square mosaic that SSD sees in a single pass (its 512 px input, so nothing is resized again),
 * and each box SSD finds is mapped back to the image through the cell its centre lies in.
 */
import type { Box, RgbImage } from '../core/types.ts';
import type { Candidate } from './tiling.ts';

export interface MosaicOptions {
  /** Cell side, px (default 128: 4 x 4 cells fill SSD's 512). */
  cellSize: number;
  /** Cells per mosaic side (default 4). */
  cellsPerSide: number;
  /** The proposal's larger side in its cell, px (default 45: the crop is 2.8 times the proposal; chosen on seed 1 with the small-face pass's verifyFace). */
  faceInCell: number;
}

export const MOSAIC_DEFAULTS: Readonly<MosaicOptions> = { cellSize: 128, cellsPerSide: 4, faceInCell: 45 };

/** One proposal's crop: the square `crop` of the image (may reach outside it) drawn into the cell at (cellX, cellY). */
export interface MosaicCell {
  /** Index of the proposal in the list given to planMosaics. */
  proposal: number;
  crop: Box;
  cellX: number;
  cellY: number;
  /** Cell pixels per image pixel. */
  scale: number;
}

export interface MosaicPlan {
  /** Side of the square mosaic, px. */
  side: number;
  cells: MosaicCell[];
}

export class MosaicError extends Error {
  override readonly name = 'MosaicError';
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

export function checkMosaicOptions(options: MosaicOptions): void {
  if (!(Number.isInteger(options.cellSize) && options.cellSize >= 16)) throw new MosaicError(`cellSize must be an integer >= 16, got ${options.cellSize}`, 'cellSize');
  if (!(Number.isInteger(options.cellsPerSide) && options.cellsPerSide >= 1)) throw new MosaicError(`cellsPerSide must be an integer >= 1, got ${options.cellsPerSide}`, 'cellsPerSide');
  if (!(options.faceInCell > 0 && options.faceInCell <= options.cellSize)) throw new MosaicError(`faceInCell must lie in (0, ${options.cellSize}] px, got ${options.faceInCell}`, 'faceInCell');
}

/** The square crop around a box: centred on it, side = its larger side · cellSize / faceInCell. */
export function cropAround(box: Box, options: MosaicOptions): Box {
  const side = Math.max(box.width, box.height) * (options.cellSize / options.faceInCell);
  return { x: box.x + box.width / 2 - side / 2, y: box.y + box.height / 2 - side / 2, width: side, height: side };
}

/** The proposals' crops, packed cellsPerSide² to a mosaic, row-major, in the order given. */
export function planMosaics(proposals: readonly Box[], options: MosaicOptions = MOSAIC_DEFAULTS): MosaicPlan[] {
  checkMosaicOptions(options);
  const perMosaic = options.cellsPerSide * options.cellsPerSide;
  const side = options.cellSize * options.cellsPerSide;
  const plans: MosaicPlan[] = [];
  proposals.forEach((box, index) => {
    if (index % perMosaic === 0) plans.push({ side, cells: [] });
    const slot = index % perMosaic;
    const crop = cropAround(box, options);
    plans[plans.length - 1]!.cells.push({
      proposal: index, crop,
      cellX: (slot % options.cellsPerSide) * options.cellSize,
      cellY: Math.floor(slot / options.cellsPerSide) * options.cellSize,
      scale: options.cellSize / crop.width,
    });
  });
  return plans;
}

/** The image at some scale (source px per image px, <= 1): the photo itself at 1, or a level shrunk from it. */
export interface ScaledImage {
  image: RgbImage;
  scale: number;
}

/**
 * The mosaic's pixels: each cell its crop resampled (black outside the image and in unused cells).
 * A shrink averages the source pixels under each cell pixel (no aliasing); an enlargement samples
 * bilinearly. Each cell reads the coarsest source still at least as fine as the cell, so a large
 * face's crop costs a fraction of its pixels in the photo.
 */
export function drawMosaic(sources: readonly ScaledImage[], plan: MosaicPlan, cellSize: number): RgbImage {
  if (!sources.some((s) => s.scale === 1)) throw new MosaicError('drawMosaic needs the image itself among its sources (scale 1)', 'sources');
  const data = new Uint8Array(plan.side * plan.side * 3);
  for (const cell of plan.cells) {
    const fineEnough = sources.filter((s) => s.scale >= cell.scale);
    const source = fineEnough.length > 0 ? fineEnough.reduce((best, s) => (s.scale < best.scale ? s : best)) : sources.reduce((best, s) => (s.scale > best.scale ? s : best));
    const crop = { x: cell.crop.x * source.scale, y: cell.crop.y * source.scale, width: cell.crop.width * source.scale, height: cell.crop.height * source.scale };
    drawCell(source.image, { ...cell, crop, scale: cell.scale / source.scale }, cellSize, data, plan.side);
  }
  return { data, width: plan.side, height: plan.side };
}

function drawCell(image: RgbImage, cell: MosaicCell, cellSize: number, out: Uint8Array, outWidth: number): void {
  const step = 1 / cell.scale; // image px per cell px
  if (step > 1) shrinkInto(image, cell, cellSize, step, out, outWidth);
  else enlargeInto(image, cell, cellSize, step, out, outWidth);
}

/** Area average over the image pixels whose centres fall under each cell pixel; pixels outside the image count as black. */
function shrinkInto(image: RgbImage, cell: MosaicCell, cellSize: number, step: number, out: Uint8Array, outWidth: number): void {
  const { data, width, height } = image;
  // Source span [from, to) of each cell column and row, unclipped (for the pixel count) and clipped to the image.
  const span = (origin: number, limit: number) => {
    const from = new Int32Array(cellSize), to = new Int32Array(cellSize), count = new Int32Array(cellSize);
    for (let i = 0; i < cellSize; i++) {
      const a = Math.round(origin + i * step), b = Math.max(a + 1, Math.round(origin + (i + 1) * step));
      count[i] = b - a;
      from[i] = Math.min(Math.max(a, 0), limit);
      to[i] = Math.min(Math.max(b, 0), limit);
    }
    return { from, to, count };
  };
  const cols = span(cell.crop.x, width), rows = span(cell.crop.y, height);
  const sums = new Float64Array(cellSize * 3);
  for (let cy = 0; cy < cellSize; cy++) {
    sums.fill(0);
    for (let y = rows.from[cy]!; y < rows.to[cy]!; y++) {
      const row = y * width * 3;
      for (let cx = 0; cx < cellSize; cx++) {
        let r = 0, g = 0, b = 0;
        for (let i = row + cols.from[cx]! * 3, end = row + cols.to[cx]! * 3; i < end; i += 3) {
          r += data[i]!; g += data[i + 1]!; b += data[i + 2]!;
        }
        sums[cx * 3] += r; sums[cx * 3 + 1] += g; sums[cx * 3 + 2] += b;
      }
    }
    let o = ((cell.cellY + cy) * outWidth + cell.cellX) * 3;
    for (let cx = 0; cx < cellSize; cx++, o += 3) {
      const count = cols.count[cx]! * rows.count[cy]!;
      out[o] = Math.round(sums[cx * 3]! / count);
      out[o + 1] = Math.round(sums[cx * 3 + 1]! / count);
      out[o + 2] = Math.round(sums[cx * 3 + 2]! / count);
    }
  }
}

/** Bilinear at each cell pixel's centre (half-pixel centres on both sides); outside the image is black. */
function enlargeInto(image: RgbImage, cell: MosaicCell, cellSize: number, step: number, out: Uint8Array, outWidth: number): void {
  const { data, width, height } = image;
  const pixel = (x: number, y: number, c: number) => (x >= 0 && y >= 0 && x < width && y < height ? data[(y * width + x) * 3 + c]! : 0);
  for (let cy = 0; cy < cellSize; cy++) {
    const sy = cell.crop.y + (cy + 0.5) * step - 0.5;
    const iy = Math.floor(sy), fy = sy - iy;
    for (let cx = 0; cx < cellSize; cx++) {
      const sx = cell.crop.x + (cx + 0.5) * step - 0.5;
      const ix = Math.floor(sx), fx = sx - ix;
      const o = ((cell.cellY + cy) * outWidth + cell.cellX + cx) * 3;
      for (let c = 0; c < 3; c++) {
        const top = pixel(ix, iy, c) * (1 - fx) + pixel(ix + 1, iy, c) * fx;
        const bottom = pixel(ix, iy + 1, c) * (1 - fx) + pixel(ix + 1, iy + 1, c) * fx;
        out[o + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
}

/** The cell holding a point of the mosaic, or undefined for an unused cell. */
export function cellAt(plan: MosaicPlan, x: number, y: number, cellSize: number): MosaicCell | undefined {
  return plan.cells.find((cell) => x >= cell.cellX && x < cell.cellX + cellSize && y >= cell.cellY && y < cell.cellY + cellSize);
}

/** A box in mosaic pixels back in image pixels, through a cell. */
export function cellToImage(box: Box, cell: MosaicCell): Box {
  return {
    x: cell.crop.x + (box.x - cell.cellX) / cell.scale,
    y: cell.crop.y + (box.y - cell.cellY) / cell.scale,
    width: box.width / cell.scale,
    height: box.height / cell.scale,
  };
}

/** Detections in mosaic pixels, each assigned to the cell its centre lies in and mapped to image pixels. */
export function unpackDetections(plan: MosaicPlan, found: readonly Candidate[], cellSize: number): Array<Candidate & { proposal: number }> {
  return found.flatMap(({ box, score }) => {
    const cell = cellAt(plan, box.x + box.width / 2, box.y + box.height / 2, cellSize);
    return cell ? [{ box: cellToImage(box, cell), score, proposal: cell.proposal }] : [];
  });
}
