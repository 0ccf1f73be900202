/**
 * The one seeded pseudo-random generator: mulberry32 (32-bit state; fast, well mixed, not for
 * cryptography), so clustering samples, synthetic data, batches, triplet mining, weight
 * initialisation and test libraries can all be replayed exactly.
 *
 * Two seedings, both kept because recorded runs depend on them: `mulberry32(seed)` and
 * `createRng(seed)` start from `seed >>> 0` as given; `new Random(seed)` maps seed 0 (a weak
 * state) to 0x9e3779b9. For every other seed the three give the same sequence.
 */

/** Uniform numbers in [0, 1) from state `seed >>> 0`. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/** A generator for batch building and mining, from state `seed >>> 0`. */
export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  return { next, int: (n) => Math.floor(next() * n) };
}

/** A generator with normal deviates (Box–Muller): k-means sampling and synthetic data. */
export class Random implements Rng {
  private readonly uniform: () => number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.uniform = mulberry32(seed >>> 0 || 0x9e3779b9);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uniform();
  }

  /** Integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.uniform() * bound);
  }

  /** Standard normal. */
  gaussian(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `count` distinct items in random order (all of them, shuffled, when there are fewer). */
export function sample<T>(items: readonly T[], count: number, rng: Rng): T[] {
  return shuffled(items, rng).slice(0, count);
}
