/**
 * Per-example tensor shapes (the batch dimension is left out) and TensorFlow 'same' padding arithmetic.
 */

/** A feature map: [height, width, channels]. */
export type MapShape = readonly [number, number, number];
/** A flat vector: [units]. */
export type VectorShape = readonly [number];
export type Shape = MapShape | VectorShape;

export function isMap(shape: Shape): shape is MapShape {
  return shape.length === 3;
}

export function elementCount(shape: Shape): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** "110×110×64", the way the paper's tables write shapes. */
export function formatShape(shape: Shape): string {
  return shape.join('×');
}

export interface SamePadding {
  /** Output size along this axis: ceil(size / stride). */
  readonly out: number;
  readonly before: number;
  readonly after: number;
}

/** TensorFlow 'same' padding along one axis: the extra row or column goes after. */
export function samePadding(size: number, kernel: number, stride: number): SamePadding {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/** Spatial output of a 'same'-padded window with this stride. */
export function sameOutput(shape: MapShape, stride: number, channels: number): MapShape {
  return [Math.ceil(shape[0] / stride), Math.ceil(shape[1] / stride), channels];
}
