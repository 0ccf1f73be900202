/**
 * Box arithmetic of face-api's detectors, as pure functions over numbers (no tfjs), so the
 * post-processing can be tested on its own. Each function follows face-api 1.7.15 step for step,
 * including its rounding, because the point is to reproduce its detections.
 */

export interface Point {
  x: number;
  y: number;
}

/** Pixels (or fractions, where stated), origin top-left. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Size the image content takes inside a square network input of `inputSize` after padding to a square
 * and resizing (face-api's computeReshapedDimensions; it rounds, the resize itself does not).
 */
export function resizedDimensions(width: number, height: number, inputSize: number): { width: number; height: number } {
  const scale = inputSize / Math.max(width, height);
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/** IoU of two boxes given as [ymin, xmin, ymax, xmax] at offsets i and j of a flat array; corners may come unordered. */
function cornerIou(boxes: ArrayLike<number>, i: number, j: number): number {
  const [ymin1, ymax1] = ordered(boxes[i * 4]!, boxes[i * 4 + 2]!);
  const [xmin1, xmax1] = ordered(boxes[i * 4 + 1]!, boxes[i * 4 + 3]!);
  const [ymin2, ymax2] = ordered(boxes[j * 4]!, boxes[j * 4 + 2]!);
  const [xmin2, xmax2] = ordered(boxes[j * 4 + 1]!, boxes[j * 4 + 3]!);
  const area1 = (ymax1 - ymin1) * (xmax1 - xmin1);
  const area2 = (ymax2 - ymin2) * (xmax2 - xmin2);
  if (area1 <= 0 || area2 <= 0) return 0;
  const intersection =
    Math.max(Math.min(ymax1, ymax2) - Math.max(ymin1, ymin2), 0) * Math.max(Math.min(xmax1, xmax2) - Math.max(xmin1, xmin2), 0);
  return intersection / (area1 + area2 - intersection);
}

function ordered(a: number, b: number): [number, number] {
  return a <= b ? [a, b] : [b, a];
}

/**
 * SSD's non-maximum suppression: candidates scoring strictly above `minScore`, best first, each kept unless
 * it overlaps an already kept box by IoU > `iouThreshold`; at most `maxResults`. Returns indices into `scores`.
 * boxes: flat [n * 4] of [ymin, xmin, ymax, xmax].
 */
export function ssdNonMaxSuppression(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  maxResults: number,
  iouThreshold: number,
  minScore: number,
): number[] {
  const limit = Math.min(maxResults, scores.length);
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i]! > minScore) candidates.push(i);
  candidates.sort((a, b) => scores[b]! - scores[a]!);
  const kept: number[] = [];
  for (const candidate of candidates) {
    if (kept.length >= limit) break;
    if (kept.every((other) => cornerIou(boxes, candidate, other) <= iouThreshold)) kept.push(candidate);
  }
  return kept;
}

/** Plain IoU of two rects. */
export function iou(a: Rect, b: Rect): number {
  const width = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const height = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const intersection = width * height;
  return intersection / (a.width * a.height + b.width * b.height - intersection);
}

/**
 * The tiny detector's greedy NMS: repeatedly keep the best remaining box and drop those overlapping it by
 * IoU > `iouThreshold`. Ties go to the later index, as in face-api (stable ascending sort, pop from the end).
 */
export function greedyNonMaxSuppression(boxes: Rect[], scores: number[], iouThreshold: number): number[] {
  let remaining = scores
    .map((score, index) => ({ score, index }))
    .sort((a, b) => a.score - b.score)
    .map((entry) => entry.index);
  const kept: number[] = [];
  while (remaining.length > 0) {
    const best = remaining.pop()!;
    kept.push(best);
    remaining = remaining.filter((other) => iou(boxes[best]!, boxes[other]!) <= iouThreshold);
  }
  return kept;
}

/** Clamps a box to the image, without rounding. A box wholly outside gets zero width or height. */
export function clipToImage(box: Rect, width: number, height: number): Rect {
  const x = Math.min(Math.max(box.x, 0), width);
  const y = Math.min(Math.max(box.y, 0), height);
  const right = Math.min(Math.max(box.x + box.width, x), width);
  const bottom = Math.min(Math.max(box.y + box.height, y), height);
  return { x, y, width: right - x, height: bottom - y };
}

/**
 * The integer pixel region face-api cuts out of the image for the landmark net (its Box.clipAtImageBorders):
 * clamp the top-left corner to the image, shorten the far sides to fit, then floor all four numbers.
 */
export function cropRegion(box: Rect, width: number, height: number): Rect {
  const x = Math.max(box.x, 0);
  const y = Math.max(box.y, 0);
  const clippedWidth = Math.min(box.x + box.width - x, width - x);
  const clippedHeight = Math.min(box.y + box.height - y, height - y);
  return { x: Math.floor(x), y: Math.floor(y), width: Math.floor(clippedWidth), height: Math.floor(clippedHeight) };
}
