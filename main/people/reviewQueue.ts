/**
 * The review queue ("Is this Ann?"): questions worth answering. A face that no person holds is offered to the
 * named person nearest to it, by average linkage (the mean squared distance to all of the person's faces, as
 * clustering measures it), only when that person is plausibly right on two counts:
 * - near enough: within the clustering threshold in use times REVIEW_MAYBE_FACTOR ('likely' up to the threshold,
 *   'maybe' above it), and clearly nearer than the second-nearest named person (REVIEW_MARGIN);
 * - among the person's own faces: the face's REVIEW_NEIGHBOURS nearest faces in the whole library (named or not,
 *   the question's own faces aside) are all that person's (all of the person's faces, when they have fewer). A stranger who merely resembles Ann usually has some
 *   other face (another stranger, a look-alike's face, a face already refused from Ann) nearer than Ann's k-th
 *   nearest face; Ann's own face, left out of her group by the clustering's caution, usually does not.
 * Faces whose nearest person is further, or not among that person's faces, are not asked about: they are offered
 * as new people in the people grid, or left alone. A small unnamed cluster is asked about once, as a group, so one
 * answer settles it (each of its faces must pass). Never offered: a person the face was rejected from, or a person
 * that already has a face in the same photo.
 */
import { dotAt } from '../cluster/vectorMath.ts';
import type { Store } from '../store/index.ts';
import { resolveClusterSettings } from './clusterLibrary.ts';

/**
 * How far a question may reach: distances up to threshold × this factor are asked about ('maybe' above the
 * threshold, 'likely' below). Chosen with REVIEW_NEIGHBOURS (at REVIEW_MARGIN) on the LFW people of the development
 * split (`facet eval journey --people peopleDevTrain.txt --review-factor F --review-neighbours K`, a simulated
 * user's whole journey) as the rule with the most questions answered yes at least 95% of the time there (a margin
 * over the 90% the queue must reach on people it was not chosen on), and reported on the other people (README,
 * "The feedback loop"). On LFW most unsorted faces are strangers with a look-alike among the named people, so
 * distance alone does not tell them apart: without the neighbour rule x0.75 got 10 of 10 yes there but asked 2
 * questions on all of LFW, x1.0 63 of 111. With it (K 5): x0.9 6 of 6, x1.0 23 of 24, x1.05 33 of 40, x1.1 36 of 44.
 */
export const REVIEW_MAYBE_FACTOR = 1.0;

/**
 * A question is asked only when the nearest named person is nearer than the second-nearest by at least this much
 * (squared distance, average linkage): a face about as close to two people is not asked about.
 */
export const REVIEW_MARGIN = 0.02;

/**
 * A question is asked only when the face's this many nearest faces in the library all belong to the person asked
 * about (for a person with fewer faces: the face's nearest faces, as many as the person has, are all of them; 0: no
 * such rule). Chosen with REVIEW_MAYBE_FACTOR (see above): at x1.0, K 3 got 31 of 38 yes, K 4 28 of 31, K 5 23 of 24,
 * K 6 19 of 20, K 7 18 of 19, K 10 14 of 15. On the other people K 5 got 13 of 14 on all of LFW and 12 of 12 on the
 * test people alone.
 */
export const REVIEW_NEIGHBOURS = 5;

/** Unnamed clusters up to this size are asked about as one group. */
export const MAX_GROUP_SIZE = 12;

export interface ReviewQuestion {
  /** The face shown (the group's best-quality face). */
  faceId: number;
  photoId: number;
  /** Every face the answer settles, faceId first. */
  faceIds: number[];
  personId: number;
  personName: string;
  distance: number;
  band: 'likely' | 'maybe';
}

export interface ReviewQueue {
  questions: ReviewQuestion[];
  /** Faces no person holds (asked about or not). */
  unsorted: number;
  threshold: number;
  /** Asked up to this distance (threshold × REVIEW_MAYBE_FACTOR). */
  maybeUpTo: number;
  /** The nearest person beats the second-nearest by at least this much (REVIEW_MARGIN). */
  margin: number;
  /** The face's this many nearest faces are all the person's (REVIEW_NEIGHBOURS; 0: not required). */
  neighbours: number;
}

interface Group {
  faceIds: number[];
  photoIds: Set<number>;
  sum: Float64Array;
  bestFaceId: number;
  bestQuality: number;
  photoOfBest: number;
}

export function reviewQueue(store: Store, options: { limit?: number; modelId?: string; maybeFactor?: number; margin?: number; neighbours?: number } = {}): ReviewQueue {
  const settings = resolveClusterSettings(store, { modelId: options.modelId });
  const threshold = settings.threshold;
  const maybeUpTo = threshold * (options.maybeFactor ?? REVIEW_MAYBE_FACTOR);
  const { faceIds, vectors, dimensions: dim } = store.embeddings.listVectors(settings.modelId);
  const rowOf = new Map<number, number>();
  faceIds.forEach((id, row) => rowOf.set(id, row));
  /** The named person holding each row's face, else -1. */
  const personOfRow = new Int32Array(faceIds.length).fill(-1);

  const named = new Map(store.persons.list().filter((p) => p.name !== null && !p.hidden).map((p) => [p.id, p.name!]));
  const persons = new Map<number, { sum: Float64Array; count: number; photoIds: Set<number>; rows: number[] }>();
  const groups = new Map<string, Group>();
  let unsorted = 0;
  const add = (sum: Float64Array, row: number) => {
    for (let d = 0; d < dim; d++) sum[d]! += vectors[row * dim + d]!;
  };
  for (const face of store.faces.list()) {
    const row = rowOf.get(face.id);
    if (row === undefined) continue;
    if (face.personId !== null) {
      if (!named.has(face.personId)) continue;
      let person = persons.get(face.personId);
      if (!person) persons.set(face.personId, (person = { sum: new Float64Array(dim), count: 0, photoIds: new Set(), rows: [] }));
      add(person.sum, row);
      person.count++;
      person.rows.push(row);
      personOfRow[row] = face.personId;
      person.photoIds.add(face.photoId);
      continue;
    }
    if (face.assignedBy === 'user') continue; // the user said: nobody to name
    unsorted++;
    const key = face.clusterId !== null ? `c${face.clusterId}` : `f${face.id}`;
    let group = groups.get(key);
    if (!group) {
      group = { faceIds: [], photoIds: new Set(), sum: new Float64Array(dim), bestFaceId: face.id, bestQuality: -Infinity, photoOfBest: face.photoId };
      groups.set(key, group);
    }
    group.faceIds.push(face.id);
    group.photoIds.add(face.photoId);
    add(group.sum, row);
    if ((face.quality ?? 0) > group.bestQuality) Object.assign(group, { bestFaceId: face.id, bestQuality: face.quality ?? 0, photoOfBest: face.photoId });
  }
  const rejectedFrom = new Map<number, Set<number>>();
  for (const c of store.constraints.listAll()) {
    if (c.kind !== 'not') continue;
    (rejectedFrom.get(c.faceId) ?? rejectedFrom.set(c.faceId, new Set()).get(c.faceId)!).add(c.personId);
  }

  const questions: ReviewQuestion[] = [];
  const margin = options.margin ?? REVIEW_MARGIN;
  const neighbours = options.neighbours ?? REVIEW_NEIGHBOURS;
  const similarity = (a: number, b: number) => dotAt(vectors, a * dim, vectors, b * dim, dim);
  /**
   * Whether the k faces nearest to the face at `row` are all the person's (k: `neighbours`, or all of the person's
   * faces when they have fewer): no other face in the library (the question's own faces aside) is nearer than the
   * person's k-th nearest face.
   */
  const amongTheirOwn = (row: number, personId: number, rows: readonly number[], own: ReadonlySet<number>): boolean => {
    if (neighbours === 0) return true;
    const k = Math.min(neighbours, rows.length);
    const kth = rows.map((r) => similarity(row, r)).sort((a, b) => b - a)[k - 1]!;
    for (let r = 0; r < faceIds.length; r++) {
      if (personOfRow[r] === personId || own.has(r)) continue;
      if (similarity(row, r) > kth) return false;
    }
    return true;
  };
  const ask = (members: number[], sum: Float64Array, photoIds: Set<number>, shown: { faceId: number; photoId: number }) => {
    // The nearest and second-nearest named persons, counting persons the faces were rejected from: after a "no" to
    // the nearest, the next one is not asked about (on LFW a face refused by its nearest person is nearly always a
    // stranger), and a face about as close to two people is not asked about either.
    let best: { personId: number; distance: number; rejected: boolean } | undefined;
    let second = Infinity;
    for (const [personId, person] of persons) {
      if ([...photoIds].some((photoId) => person.photoIds.has(photoId))) continue;
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += sum[d]! * person.sum[d]!;
      const distance = 2 - (2 * dot) / (members.length * person.count);
      const rejected = members.some((faceId) => rejectedFrom.get(faceId)?.has(personId));
      if (!best || distance < best.distance) {
        if (best) second = best.distance;
        best = { personId, distance, rejected };
      } else if (distance < second) second = distance;
    }
    if (!best || best.rejected || best.distance > maybeUpTo || second - best.distance < margin) return;
    const own = new Set(members.map((faceId) => rowOf.get(faceId)!));
    const { personId } = best;
    const person = persons.get(personId)!;
    if (![...own].every((row) => amongTheirOwn(row, personId, person.rows, own))) return;
    questions.push({
      faceId: shown.faceId, photoId: shown.photoId, faceIds: [shown.faceId, ...members.filter((id) => id !== shown.faceId)],
      personId: best.personId, personName: named.get(best.personId)!, distance: best.distance,
      band: best.distance <= threshold ? 'likely' : 'maybe',
    });
  };
  for (const group of groups.values()) {
    // Two faces of one photo are two people: such a group, or a large one, is asked about face by face.
    if (group.faceIds.length <= MAX_GROUP_SIZE && group.photoIds.size === group.faceIds.length) {
      ask(group.faceIds, group.sum, group.photoIds, { faceId: group.bestFaceId, photoId: group.photoOfBest });
      continue;
    }
    for (const faceId of group.faceIds) {
      const row = rowOf.get(faceId)!;
      const sum = Float64Array.from(vectors.subarray(row * dim, (row + 1) * dim));
      const photoId = store.faces.get(faceId)!.photoId;
      ask([faceId], sum, new Set([photoId]), { faceId, photoId });
    }
  }
  questions.sort((a, b) => a.distance - b.distance || a.faceId - b.faceId);
  return { questions: options.limit === undefined ? questions : questions.slice(0, options.limit), unsorted, threshold, maybeUpTo, margin, neighbours };
}
