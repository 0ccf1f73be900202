/**
 * The review queue ("Is this Ann?"): questions worth answering. A face that no person holds is offered to the
 * named person nearest to it, by average linkage (the mean squared distance to all of the person's faces, as
 * clustering measures it), only when that person is plausibly right: within the clustering threshold in use
 * ('likely') or in a band just above it ('maybe', REVIEW_MAYBE_FACTOR, calibrated on LFW by `facet eval journey`).
 * Faces whose nearest person is further are not asked about: they are offered as new people in the people grid,
 * or left alone. A small unnamed cluster is asked about once, as a group, so one answer settles it.
 * Never offered: a person the face was rejected from, or a person that already has a face in the same photo.
 */
import type { Store } from '../store/index.ts';
import { resolveClusterSettings } from './clusterLibrary.ts';

/**
 * How far a question may reach: distances up to threshold × this factor are asked about ('maybe' above the
 * threshold, 'likely' below). Chosen with REVIEW_MARGIN on the LFW people of the development split
 * (`facet eval journey --people peopleDevTrain.txt`, a simulated user's whole journey) as the widest reach whose
 * questions were answered yes at least 90% of the time, and reported on the other people (README, "The feedback
 * loop"). On LFW most unsorted faces are strangers with a look-alike among the named people, so that is well below
 * the grouping threshold: at margin 0.02, x0.75 got 10 of 10 yes there, x0.8 11 of 13, x0.9 22 of 28, x1.0 63 of
 * 111; the x1.3 band of the round before got 172 of 1,143 on all of LFW.
 */
export const REVIEW_MAYBE_FACTOR = 0.75;

/**
 * A question is asked only when the nearest named person is nearer than the second-nearest by at least this much
 * (squared distance, average linkage). Chosen with REVIEW_MAYBE_FACTOR on the development people (see above).
 */
export const REVIEW_MARGIN = 0.02;

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
  maybeUpTo: number;
}

interface Group {
  faceIds: number[];
  photoIds: Set<number>;
  sum: Float64Array;
  bestFaceId: number;
  bestQuality: number;
  photoOfBest: number;
}

export function reviewQueue(store: Store, options: { limit?: number; modelId?: string; maybeFactor?: number; margin?: number } = {}): ReviewQueue {
  const settings = resolveClusterSettings(store, { modelId: options.modelId });
  const threshold = settings.threshold;
  const maybeUpTo = threshold * (options.maybeFactor ?? REVIEW_MAYBE_FACTOR);
  const { faceIds, vectors, dimensions: dim } = store.embeddings.listVectors(settings.modelId);
  const rowOf = new Map<number, number>();
  faceIds.forEach((id, row) => rowOf.set(id, row));

  const named = new Map(store.persons.list().filter((p) => p.name !== null && !p.hidden).map((p) => [p.id, p.name!]));
  const persons = new Map<number, { sum: Float64Array; count: number; photoIds: Set<number> }>();
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
      if (!person) persons.set(face.personId, (person = { sum: new Float64Array(dim), count: 0, photoIds: new Set() }));
      add(person.sum, row);
      person.count++;
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
  return { questions: options.limit === undefined ? questions : questions.slice(0, options.limit), unsorted, threshold, maybeUpTo };
}
