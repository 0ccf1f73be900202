/**
 * The personalisation protocol of `facet eval finetune`, over embeddings already made (pure: no files,
 * no models). Faces play three roles: `named` (the faces a user named: the adapter's training set),
 * `heldOut` (the rest of the named people's faces) and `stranger` (people the user never named).
 * The library is heldOut + stranger. For each embedding space (clean or degraded; base or adapted):
 *   - BCubed F: the library clustered as the app clusters it (average linkage at the app's threshold),
 *     averaged over the held-out faces, each judged against its whole cluster and class;
 *   - accuracy: balanced same/different pairs of held-out faces, at the threshold of best accuracy on
 *     balanced pairs of the named faces (the only labels a user's library has).
 */
import { clusterFaces } from '../cluster/clusterFaces.ts';
import { type LinearAdapter, applyAdapter } from '../learn/adapter.ts';
import { gatherRows } from '../learn/adapterTraining.ts';
import { type Rng, createRng, shuffled } from '../core/random.ts';
import { bcubedScoresOver } from '../metrics/clusterMetrics.ts';
import { type ScoredPair, bestAccuracyThreshold, squaredDistance } from '../metrics/verification.ts';

export type FaceRole = 'named' | 'heldOut' | 'stranger';

export interface ProtocolFaces {
  readonly dim: number;
  /** Person of each face. */
  readonly identity: Int32Array;
  readonly role: readonly FaceRole[];
}

export interface SpaceScores {
  readonly bcubedF: number;
  readonly bcubedPrecision: number;
  readonly bcubedRecall: number;
  readonly clusters: number;
  readonly clusterThreshold: number;
  readonly accuracy: number;
  readonly verificationThreshold: number;
  readonly pairs: number;
}

export function rowsWith(faces: ProtocolFaces, roles: readonly FaceRole[]): number[] {
  return faces.role.flatMap((role, i) => (roles.includes(role) ? [i] : []));
}

/**
 * Balanced pairs among `rows`: up to `perPerson` same-person pairs for each person, and as many
 * different-person pairs drawn at random.
 */
export function balancedPairs(identity: Int32Array, rows: readonly number[], perPerson: number, rng: Rng): Array<[number, number, boolean]> {
  const byPerson = new Map<number, number[]>();
  for (const row of rows) {
    if (!byPerson.has(identity[row]!)) byPerson.set(identity[row]!, []);
    byPerson.get(identity[row]!)!.push(row);
  }
  const pairs: Array<[number, number, boolean]> = [];
  for (const members of byPerson.values()) {
    const all: Array<[number, number]> = [];
    for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) all.push([members[i]!, members[j]!]);
    for (let k = 0; k < Math.min(perPerson, all.length); k++) {
      const pick = k + rng.int(all.length - k); // partial Fisher-Yates: distinct pairs
      [all[k], all[pick]] = [all[pick]!, all[k]!];
      pairs.push([...all[k]!, true]);
    }
  }
  const same = pairs.length;
  if (byPerson.size < 2) return pairs;
  while (pairs.length < 2 * same) {
    const a = rows[rng.int(rows.length)]!;
    const b = rows[rng.int(rows.length)]!;
    if (identity[a] !== identity[b]) pairs.push([a, b, false]);
  }
  return pairs;
}

function scored(vectors: Float32Array, dim: number, pairs: ReadonlyArray<[number, number, boolean]>): ScoredPair[] {
  return pairs.map(([a, b, same]) => ({
    distance: squaredDistance(vectors.subarray(a * dim, (a + 1) * dim), vectors.subarray(b * dim, (b + 1) * dim)),
    same,
    fold: 0,
  }));
}

/** Scores one embedding space ([faces, dim], rows as in `faces`). */
export function scoreSpace(vectors: Float32Array, faces: ProtocolFaces, clusterThreshold: number, seed = 1, caution = 1): SpaceScores {
  const { dim, identity } = faces;
  const library = rowsWith(faces, ['heldOut', 'stranger']);
  const result = clusterFaces({ vectors: gatherRows(vectors, dim, library), dim, n: library.length, threshold: clusterThreshold, caution, linkage: 'average', minClusterSize: 1 });
  // Unclustered faces count as singletons, as a user would see them.
  let next = result.clusters.length;
  const predicted = Int32Array.from(result.labels, (label) => (label >= 0 ? label : next++));
  const bcubed = bcubedScoresOver(library.map((row) => identity[row]!), predicted, library.map((row) => faces.role[row] === 'heldOut'));

  const rng = createRng(seed);
  const threshold = bestAccuracyThreshold(scored(vectors, dim, balancedPairs(identity, rowsWith(faces, ['named']), 50, rng)));
  const test = scored(vectors, dim, balancedPairs(identity, rowsWith(faces, ['heldOut']), 50, rng));
  const correct = test.filter((pair) => (pair.distance <= threshold) === pair.same).length;
  return {
    bcubedF: bcubed.f1, bcubedPrecision: bcubed.precision, bcubedRecall: bcubed.recall, clusters: next, clusterThreshold,
    accuracy: test.length === 0 ? 0 : correct / test.length, verificationThreshold: threshold, pairs: test.length,
  };
}

/** Scores a space before and after the adapter, each at its own clustering threshold; one small-cluster caution for both, as the app has. */
export function compareSpaces(
  vectors: Float32Array, faces: ProtocolFaces, adapter: LinearAdapter,
  thresholds: { readonly before: number; readonly after: number; readonly caution?: number }, seed = 1,
): { before: SpaceScores; after: SpaceScores } {
  return {
    before: scoreSpace(vectors, faces, thresholds.before, seed, thresholds.caution),
    after: scoreSpace(applyAdapter(adapter, vectors), faces, thresholds.after, seed, thresholds.caution),
  };
}

/** How many of a named person's faces the user confirmed: a share of them, or a fixed count. */
export interface NamedShare {
  /** Default 0.5. */
  readonly fraction?: number;
  /** When set, exactly this many (the old protocol: 5). */
  readonly count?: number;
}

/**
 * Roles for one seed. Rows are faces; `identity[row] < namedPeople` marks the named people. Which of a
 * named person's faces the user confirmed is chance (a seeded shuffle); the rest stay in the library.
 */
export function assignRoles(identity: Int32Array, namedPeople: number, share: NamedShare, seed: number): FaceRole[] {
  const rng = createRng(seed);
  const role: FaceRole[] = Array.from(identity, (person) => (person < namedPeople ? 'heldOut' : 'stranger'));
  const byPerson = new Map<number, number[]>();
  identity.forEach((person, row) => {
    if (person >= namedPeople) return;
    if (!byPerson.has(person)) byPerson.set(person, []);
    byPerson.get(person)!.push(row);
  });
  for (const [, rows] of [...byPerson.entries()].sort((a, b) => a[0] - b[0])) {
    const count = share.count ?? Math.max(2, Math.round((share.fraction ?? 0.5) * rows.length));
    for (const row of shuffled(rows, rng).slice(0, Math.min(count, rows.length - 1))) role[row] = 'named';
  }
  return role;
}

export interface SeedFigures {
  readonly seed: number;
  readonly clean: { readonly before: SpaceScores; readonly after: SpaceScores };
  readonly degraded: { readonly before: SpaceScores; readonly after: SpaceScores };
  readonly lfwAccuracyBefore: number;
  readonly lfwAccuracyAfter: number;
}

export interface Spread {
  /** Mean over seeds of after − before. */
  readonly cleanF: number;
  readonly degradedF: number;
  readonly lfwAccuracy: number;
}

/** Mean, sample standard deviation and the worst seed of the three gains. */
export function summariseSeeds(seeds: readonly SeedFigures[]): { gain: Spread; sd: Spread; worst: Spread & { readonly seed: number } } {
  const gains = seeds.map((s) => ({
    cleanF: s.clean.after.bcubedF - s.clean.before.bcubedF,
    degradedF: s.degraded.after.bcubedF - s.degraded.before.bcubedF,
    lfwAccuracy: s.lfwAccuracyAfter - s.lfwAccuracyBefore,
  }));
  const of = (pick: (g: Spread) => number) => gains.map(pick);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const sd = (xs: number[]) => {
    if (xs.length < 2) return 0;
    const m = mean(xs);
    return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
  };
  // The worst seed is the one with the lowest degraded gain: the figure the protocol is about.
  let worst = 0;
  gains.forEach((g, i) => { if (g.degradedF < gains[worst]!.degradedF) worst = i; });
  const keys = ['cleanF', 'degradedF', 'lfwAccuracy'] as const;
  const build = (f: (xs: number[]) => number) => Object.fromEntries(keys.map((k) => [k, f(of((g) => g[k]))])) as unknown as Spread;
  return { gain: build(mean), sd: build(sd), worst: { ...gains[worst]!, seed: seeds[worst]?.seed ?? 0 } };
}

/** The mean of each numeric field of SpaceScores over seeds. */
export function meanScores(scores: readonly SpaceScores[]): SpaceScores {
  const keys = Object.keys(scores[0]!) as Array<keyof SpaceScores>;
  return Object.fromEntries(keys.map((k) => [k, scores.reduce((a, s) => a + s[k], 0) / scores.length])) as unknown as SpaceScores;
}
