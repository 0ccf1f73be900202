import type { Box } from '../core/types.ts';

/** Intersection over union of two boxes (0 when disjoint). */
export function intersectionOverUnion(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x), y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width), y2 = Math.min(a.y + a.height, b.y + b.height);
  const intersection = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - intersection;
  return union > 0 ? intersection / union : 0;
}

/** Greedy one-to-one matching of new boxes to old ones by IoU, best pairs first. Returns newIndex → oldIndex. */
export function matchBoxes(oldBoxes: readonly Box[], newBoxes: readonly Box[], minIou = 0.5): Map<number, number> {
  const candidates: Array<[number, number, number]> = [];
  for (let n = 0; n < newBoxes.length; n++) {
    for (let o = 0; o < oldBoxes.length; o++) {
      const iou = intersectionOverUnion(oldBoxes[o]!, newBoxes[n]!);
      if (iou >= minIou) candidates.push([iou, n, o]);
    }
  }
  candidates.sort((a, b) => b[0] - a[0]);
  const matches = new Map<number, number>();
  const usedOld = new Set<number>();
  for (const [, n, o] of candidates) {
    if (matches.has(n) || usedOld.has(o)) continue;
    matches.set(n, o);
    usedOld.add(o);
  }
  return matches;
}
