/**
 * Synthetic face embeddings shaped like a personal photo library: identities of very different
 * sizes (a few family members with hundreds of photos, a long tail of people seen once or
 * twice), unit vectors, within-identity squared distances about 0.3–0.8 and between-identity
 * about 1.6–2.2 (as FaceNet reports for its 128-D embeddings), and photos holding several people.
 */
import { Random } from '../core/random.ts';

export interface SyntheticFacesOptions {
  faces: number;
  /** Default 128. */
  dim?: number;
  seed?: number;
  /** Default faces / 12. */
  identities?: number;
  /** Zipf exponent of identity sizes (0 = equal sizes). Default 1. */
  sizeExponent?: number;
  /** Share of identities that are close relatives of another (centres ~1.2–1.4 apart). Default 0.1. */
  relatives?: number;
  /** Real embeddings [*, dim] used as identity centres instead of random directions. */
  baseVectors?: Float32Array;
  /** Mean within-identity squared distance is drawn per identity from this range. Default [0.35, 0.75]. */
  spread?: [number, number];
}

export interface SyntheticFaces {
  vectors: Float32Array;
  dim: number;
  n: number;
  /** True identity of each face. */
  identity: Int32Array;
  /** Photo of each face; a photo never holds two faces of one identity. */
  photoIds: Int32Array;
}

export function synthesizeFaces(options: SyntheticFacesOptions): SyntheticFaces {
  const n = options.faces;
  const dim = options.dim ?? 128;
  const random = new Random(options.seed ?? 1);
  const identities = Math.max(1, Math.min(n, options.identities ?? Math.ceil(n / 12)));
  const sizes = identitySizes(n, identities, options.sizeExponent ?? 1);
  const centres = identityCentres(identities, dim, random, options.relatives ?? 0.1, options.baseVectors);
  const [spreadLo, spreadHi] = options.spread ?? [0.35, 0.75];

  const vectors = new Float32Array(n * dim);
  const identity = new Int32Array(n);
  let face = 0;
  for (let id = 0; id < identities; id++) {
    // normalize(c + sigma·g): E[d²] between two faces ≈ 2 - 2 / (1 + dim·sigma²).
    const target = spreadLo + (spreadHi - spreadLo) * random.next();
    const sigma = Math.sqrt((1 / (1 - target / 2) - 1) / dim);
    for (let s = 0; s < sizes[id]; s++, face++) {
      identity[face] = id;
      // One face in twenty is harder (profile, blur): twice the noise.
      const noise = random.next() < 0.05 ? 1.6 * sigma : sigma;
      for (let d = 0; d < dim; d++) vectors[face * dim + d] = centres[id * dim + d] + noise * random.gaussian();
      normalizeRow(vectors, face, dim);
    }
  }
  const order = shuffledOrder(n, random);
  const shuffled = new Float32Array(n * dim);
  const shuffledIdentity = new Int32Array(n);
  order.forEach((from, to) => {
    shuffled.set(vectors.subarray(from * dim, (from + 1) * dim), to * dim);
    shuffledIdentity[to] = identity[from];
  });
  return { vectors: shuffled, dim, n, identity: shuffledIdentity, photoIds: groupIntoPhotos(shuffledIdentity, random) };
}

/** Zipf-like sizes summing to n, each at least 1. */
function identitySizes(n: number, identities: number, exponent: number): Int32Array {
  const weights = Array.from({ length: identities }, (_, i) => 1 / Math.pow(i + 1, exponent));
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = Int32Array.from(weights, (w) => Math.max(1, Math.floor((w / total) * n)));
  let left = n - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; left !== 0; i = (i + 1) % identities) {
    if (left > 0) {
      sizes[i]++;
      left--;
    } else if (sizes[i] > 1) {
      sizes[i]--;
      left++;
    }
  }
  return sizes;
}

function identityCentres(
  identities: number,
  dim: number,
  random: Random,
  relatives: number,
  base?: Float32Array,
): Float64Array {
  const centres = new Float64Array(identities * dim);
  const baseCount = base ? Math.floor(base.length / dim) : 0;
  // normalize(c + s·g) with s = sqrt(7.2 / dim) is ~1.3 (squared L2) from c: a relative.
  const relativeNoise = Math.sqrt(7.2 / dim);
  for (let id = 0; id < identities; id++) {
    const o = id * dim;
    if (id > 0 && random.next() < relatives) {
      const of = random.int(id) * dim;
      for (let d = 0; d < dim; d++) centres[o + d] = centres[of + d] + relativeNoise * random.gaussian();
    } else if (base && baseCount > 0) {
      // A real embedding; identities beyond the base set become relatives of one.
      const b = (id % baseCount) * dim;
      const nudge = id < baseCount ? 0 : relativeNoise;
      for (let d = 0; d < dim; d++) centres[o + d] = base[b + d] + nudge * random.gaussian();
    } else {
      for (let d = 0; d < dim; d++) centres[o + d] = random.gaussian();
    }
    normalizeRow(centres, id, dim);
  }
  return centres;
}

function shuffledOrder(n: number, random: Random): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Photos of 1–4 faces (most of one), never two faces of one identity in a photo. */
function groupIntoPhotos(identity: Int32Array, random: Random): Int32Array {
  const photoIds = new Int32Array(identity.length);
  let photo = 0;
  let inPhoto: number[] = [];
  let capacity = 1;
  for (let f = 0; f < identity.length; f++) {
    if (inPhoto.length >= capacity || inPhoto.includes(identity[f])) {
      photo++;
      inPhoto = [];
      const r = random.next();
      capacity = r < 0.6 ? 1 : r < 0.85 ? 2 : r < 0.95 ? 3 : 4;
    }
    inPhoto.push(identity[f]);
    photoIds[f] = photo;
  }
  return photoIds;
}

/** Scales row r of a [*, dim] array to unit length. */
export function normalizeRow(values: Float32Array | Float64Array, row: number, dim: number): void {
  let norm = 0;
  for (let d = row * dim; d < (row + 1) * dim; d++) norm += values[d] * values[d];
  const scale = 1 / Math.sqrt(norm);
  for (let d = row * dim; d < (row + 1) * dim; d++) values[d] *= scale;
}

/** n random unit vectors, uniform on the sphere. */
export function randomUnitVectors(n: number, dim: number, seed: number): Float32Array {
  const random = new Random(seed);
  const vectors = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) vectors[i * dim + d] = random.gaussian();
    normalizeRow(vectors, i, dim);
  }
  return vectors;
}
