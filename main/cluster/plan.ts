/**
 * Checks a ClusterInput, fills defaults and decides how to run: which faces take part
 * (low-quality ones wait), which path (exact or approximate), and the constraints in the
 * index space of the faces that take part.
 */
import { prepareConstraints, type PreparedConstraints } from './constraints.ts';
import { ClusterInputError, ClusterLimitError } from './errors.ts';
import type { ClusterInput, ClusterProgress, Linkage } from './types.ts';

export const DEFAULTS = {
  minClusterSize: 3,
  exactMaxFaces: 20_000,
  maxGraphEdges: 40_000_000,
  neighbours: 16,
  leafSize: 512,
  probes: 4,
  rescueBelow: 32,
  seed: 1,
} as const;

const LINKAGES: readonly Linkage[] = ['average', 'single', 'complete'];

export interface ClusterPlan {
  /** All faces. */
  n: number;
  dim: number;
  threshold: number;
  /** Small-cluster caution (see ClusterInput.caution); 1 = plain threshold. */
  caution: number;
  linkage: Linkage;
  minClusterSize: number;
  /** Merges are computed up to this height (>= threshold). */
  maxHeight: number;
  path: 'exact' | 'approximate';
  maxGraphEdges: number;
  approximate: { neighbours: number; leafSize: number; probes: number; rescueBelow: number; rescueProbes: number; seed: number };
  /** Vectors of all faces, [n, dim]. */
  allVectors: Float32Array;
  /** Vectors of the faces that take part, [m, dim]. */
  vectors: Float32Array;
  m: number;
  /** Face index of each taking-part row, null when all faces take part. */
  subset: Int32Array | null;
  /** Faces that wait (exclude mask, minus faces in must-link or named groups). */
  excluded: Uint8Array | undefined;
  /** Constraints over all n faces. */
  constraints: PreparedConstraints;
  /** The same constraints over the m taking-part rows. */
  local: PreparedConstraints;
  onProgress: (progress: ClusterProgress) => void;
}

export function planClustering(input: ClusterInput): ClusterPlan {
  const { vectors, dim } = input;
  if (!(vectors instanceof Float32Array)) throw new ClusterInputError('vectors', 'must be a Float32Array');
  if (!Number.isInteger(dim) || dim < 1) throw new ClusterInputError('dim', `must be a positive integer, got ${dim}`);
  const n = input.n ?? vectors.length / dim;
  if (!Number.isInteger(n) || n < 0 || n * dim > vectors.length) {
    throw new ClusterInputError('n', `${n} faces of ${dim} values do not fit ${vectors.length} values`);
  }
  checkUnitRows(vectors, n, dim);
  const threshold = input.threshold;
  if (!(threshold >= 0 && threshold <= 4)) throw new ClusterInputError('threshold', `must be in [0, 4], got ${threshold}`);
  const caution = input.caution ?? 1;
  if (!(caution > 0 && caution <= 1)) throw new ClusterInputError('caution', `must be in (0, 1], got ${caution}`);
  const linkage = input.linkage ?? 'average';
  if (!LINKAGES.includes(linkage)) throw new ClusterInputError('linkage', `unknown linkage ${linkage}`);
  const minClusterSize = input.minClusterSize ?? DEFAULTS.minClusterSize;
  if (!Number.isInteger(minClusterSize) || minClusterSize < 1) {
    throw new ClusterInputError('minClusterSize', `must be an integer >= 1, got ${minClusterSize}`);
  }
  const maxHeight = input.treeMaxThreshold ?? threshold;
  if (!(maxHeight >= threshold && maxHeight <= 4)) {
    throw new ClusterInputError('treeMaxThreshold', `must be in [threshold, 4], got ${maxHeight}`);
  }
  if (input.exclude && input.exclude.length !== n) {
    throw new ClusterInputError('exclude', `has ${input.exclude.length} entries for ${n} faces`);
  }

  const mode = input.mode ?? 'auto';
  const exactMaxFaces = input.exactMaxFaces ?? DEFAULTS.exactMaxFaces;
  const path = mode === 'exact' || (mode === 'auto' && n <= exactMaxFaces) ? 'exact' : 'approximate';
  if (path === 'approximate' && linkage === 'complete') {
    throw new ClusterLimitError('linkage', `complete linkage runs exactly only (n = ${n} > ${exactMaxFaces} faces)`);
  }

  const constraints = prepareConstraints({ ...input, n });
  const excluded = effectiveExclusion(input.exclude, constraints);
  const { subset, local } = restrict(constraints, excluded, n);
  const m = subset ? subset.length : n;
  const sub = subset ? gatherRows(vectors, subset, dim) : vectors.subarray(0, n * dim);

  const approx = input.approximate ?? {};
  return {
    n,
    dim,
    threshold,
    caution,
    linkage,
    minClusterSize,
    maxHeight,
    path,
    maxGraphEdges: input.maxGraphEdges ?? DEFAULTS.maxGraphEdges,
    approximate: {
      neighbours: approx.neighbours ?? DEFAULTS.neighbours,
      leafSize: approx.leafSize ?? DEFAULTS.leafSize,
      probes: approx.probes ?? DEFAULTS.probes,
      rescueBelow: approx.rescueBelow ?? DEFAULTS.rescueBelow,
      rescueProbes: approx.rescueProbes ?? 2 * (approx.probes ?? DEFAULTS.probes),
      seed: approx.seed ?? DEFAULTS.seed,
    },
    allVectors: vectors.subarray(0, n * dim),
    vectors: sub,
    m,
    subset,
    excluded,
    constraints,
    local,
    onProgress: input.onProgress ?? (() => {}),
  };
}

/** Rows must be finite and unit length (the distance identities assume it). */
function checkUnitRows(vectors: Float32Array, n: number, dim: number): void {
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = i * dim; d < (i + 1) * dim; d++) norm += vectors[d] * vectors[d];
    if (!(Math.abs(norm - 1) <= 1e-3)) {
      throw new ClusterInputError('vectors', `row ${i} is not L2-normalised (squared norm ${norm})`);
    }
  }
}

/** Faces the user grouped or named always take part, whatever their quality. */
function effectiveExclusion(exclude: Uint8Array | undefined, constraints: PreparedConstraints): Uint8Array | undefined {
  if (!exclude || !exclude.some((x) => x !== 0)) return undefined;
  const excluded = Uint8Array.from(exclude, (x) => (x ? 1 : 0));
  for (const group of constraints.mustLink) for (const f of group) excluded[f] = 0;
  constraints.personOf.forEach((p, f) => {
    if (p >= 0) excluded[f] = 0;
  });
  return excluded.some((x) => x !== 0) ? excluded : undefined;
}

function restrict(
  constraints: PreparedConstraints,
  excluded: Uint8Array | undefined,
  n: number,
): { subset: Int32Array | null; local: PreparedConstraints } {
  if (!excluded) return { subset: null, local: constraints };
  const rowOf = new Int32Array(n).fill(-1);
  const faces: number[] = [];
  for (let f = 0; f < n; f++) if (!excluded[f]) rowOf[f] = faces.push(f) - 1;
  const pairs: number[] = [];
  const cl = constraints.cannotLink;
  for (let p = 0; p < cl.length; p += 2) {
    const i = rowOf[cl[p]];
    const j = rowOf[cl[p + 1]];
    if (i >= 0 && j >= 0) pairs.push(i, j);
  }
  const subset = Int32Array.from(faces);
  return {
    subset,
    local: {
      mustLink: constraints.mustLink.map((group) => group.map((f) => rowOf[f])),
      cannotLink: Int32Array.from(pairs),
      personOf: subset.map((f) => constraints.personOf[f]),
      overridden: [],
    },
  };
}

function gatherRows(vectors: Float32Array, rows: Int32Array, dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((f, r) => out.set(vectors.subarray(f * dim, (f + 1) * dim), r * dim));
  return out;
}
