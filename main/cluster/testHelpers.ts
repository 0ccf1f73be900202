/** Small builders and checks shared by the clustering tests. */
import { randomUnitVectors } from './syntheticFaces.ts';
import type { ClusterTree } from './types.ts';

/** Each face → smallest face of its group (labels -1 count as singletons). */
export function canonicalPartition(labels: ArrayLike<number>): Int32Array {
  const first = new Map<number, number>();
  const out = new Int32Array(labels.length);
  for (let f = 0; f < labels.length; f++) {
    const label = labels[f];
    if (label < 0) {
      out[f] = f;
      continue;
    }
    if (!first.has(label)) first.set(label, f);
    out[f] = first.get(label)!;
  }
  return out;
}

/** Merges of a tree as sorted "a-b@height" strings (height rounded to 1e-12). */
export function mergeList(tree: ClusterTree): string[] {
  const list: string[] = [];
  for (let m = 0; m < tree.left.length; m++) list.push(mergeKey(tree.left[m], tree.right[m], tree.height[m]));
  return list.sort();
}

export function mergeKey(a: number, b: number, height: number): string {
  return `${a}-${b}@${height === -Infinity ? '-inf' : height.toFixed(12)}`;
}

/**
 * Points in a few loose groups on a low-dimensional sphere: many merges at varied heights,
 * the regime where linkages differ most.
 */
export function groupedPoints(n: number, dim: number, seed: number, groups = 6, spread = 0.6): Float32Array {
  const centres = randomUnitVectors(groups, dim, seed * 7919);
  const noise = randomUnitVectors(n, dim, seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = (i * 2654435761) % groups;
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const v = centres[c * dim + d] + spread * noise[i * dim + d];
      out[i * dim + d] = v;
      norm += v * v;
    }
    for (let d = 0; d < dim; d++) out[i * dim + d] /= Math.sqrt(norm);
  }
  return out;
}

/** Unit vectors with coordinates ±1/2 in 4-D: only 16 distinct points, so many exact ties. */
export function tiedPoints(n: number, seed: number): Float32Array {
  const out = new Float32Array(n * 4);
  let s = seed >>> 0;
  for (let i = 0; i < n * 4; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s & 0x10000 ? 0.5 : -0.5;
  }
  return out;
}
