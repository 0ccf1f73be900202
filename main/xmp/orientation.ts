/**
 * EXIF orientation and face boxes. Facet stores boxes in pixels of the upright image (what sharp shows after
 * applying the Orientation tag); MWG regions are normalised to the image as stored, before that rotation
 * (MWG Guidelines 2.0, "Image Region Metadata"). These maps move a box between the two, in normalised
 * coordinates so that no pixel size is needed. Pure functions: no files, no ExifTool.
 */
import type { Box } from '../core/types.ts';

export interface Size {
  width: number;
  height: number;
}

/** A point or box in [0, 1] × [0, 1] of some image. */
export type Normalised = Box;

type PointMap = (u: number, v: number) => [number, number];

/** Stored → upright, for each EXIF Orientation value (1 = as stored ... 8 = rotate 270° clockwise). */
const STORED_TO_UPRIGHT: Record<number, PointMap> = {
  1: (u, v) => [u, v],
  2: (u, v) => [1 - u, v], // mirrored left-right
  3: (u, v) => [1 - u, 1 - v], // rotated 180°
  4: (u, v) => [u, 1 - v], // mirrored top-bottom
  5: (u, v) => [v, u], // transposed
  6: (u, v) => [1 - v, u], // rotated 90° clockwise
  7: (u, v) => [1 - v, 1 - u], // transversed
  8: (u, v) => [v, 1 - u], // rotated 270° clockwise
};

/** Every orientation but 6 and 8 is its own inverse; those two undo each other. */
const INVERSE: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6 };

/** An Orientation tag as ExifTool reads it (a number, or missing), made one of 1..8 (unknown values: 1). */
export function orientationOf(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 8 ? n : 1;
}

/** Orientations 5 to 8 turn the image a quarter: its upright width is its stored height. */
export function storedSize(upright: Size, orientation: number): Size {
  return orientation >= 5 ? { width: upright.height, height: upright.width } : upright;
}

/** Sizes are carried over (swapped on a quarter turn) rather than subtracted, so no rounding creeps in. */
function mapBox(box: Normalised, orientation: number): Normalised {
  const map = STORED_TO_UPRIGHT[orientation]!;
  const [u1, v1] = map(box.x, box.y);
  const [u2, v2] = map(box.x + box.width, box.y + box.height);
  const quarterTurn = orientation >= 5;
  return {
    x: Math.min(u1, u2),
    y: Math.min(v1, v2),
    width: quarterTurn ? box.height : box.width,
    height: quarterTurn ? box.width : box.height,
  };
}

export function storedToUpright(box: Normalised, orientation: number): Normalised {
  return mapBox(box, orientationOf(orientation));
}

export function uprightToStored(box: Normalised, orientation: number): Normalised {
  return mapBox(box, INVERSE[orientationOf(orientation)]!);
}

export function normalise(box: Box, size: Size): Normalised {
  return { x: box.x / size.width, y: box.y / size.height, width: box.width / size.width, height: box.height / size.height };
}

export function toPixels(box: Normalised, size: Size): Box {
  return { x: box.x * size.width, y: box.y * size.height, width: box.width * size.width, height: box.height * size.height };
}
