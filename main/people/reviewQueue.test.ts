/** The review queue's rules on a small store: the reach, the margin to the second-nearest person, no chain after a "no", the neighbour rule. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addFaces, createTestStore } from '../store/testing.ts';
import type { Store } from '../store/index.ts';
import { REVIEW_MARGIN, REVIEW_MAYBE_FACTOR, REVIEW_NEIGHBOURS, reviewQueue } from './reviewQueue.ts';

const DIM = 128;
/** A unit vector with these components (by index; the rest 0). */
function unit(components: Record<number, number>): Float32Array {
  const v = new Float32Array(DIM);
  for (const [i, c] of Object.entries(components)) v[Number(i)] = c;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function faceMaker(store: Store) {
  let photo = 0;
  return (vector: Float32Array) => {
    const [id] = addFaces(store, 1, `p${photo++}.jpg`);
    store.embeddings.put(id!, 'dlib-resnet', vector);
    return id!;
  };
}

/** Average linkage, as the queue measures it: the mean squared distance between unit vectors. */
function averageDistance(x: Float32Array, faces: readonly Float32Array[]): number {
  return faces.reduce((sum, f) => sum + f.reduce((s, v, d) => s + (v - x[d]!) ** 2, 0), 0) / faces.length;
}

test('asks where the nearest person is plausible and clearly nearest; never the next person after a "no"', () => {
  const store = createTestStore();
  const face = faceMaker(store);
  // Ann and Bob, 0.11 apart (squared distance of their faces' means): look-alikes, as LFW has many.
  const ann = store.persons.create({ name: 'Ann' }).id;
  const bob = store.persons.create({ name: 'Bob' }).id;
  store.assignments.assignByUser([face(unit({ 0: 1, 2: 0.05 })), face(unit({ 0: 1, 2: -0.05 }))], ann);
  store.assignments.assignByUser([face(unit({ 0: 1, 1: 0.35, 2: 0.05 })), face(unit({ 0: 1, 1: 0.35, 2: -0.05 }))], bob);

  const nearAnn = face(unit({ 0: 1, 2: 0.1, 3: 0.05 })); // close to Ann, far from Bob: asked
  const between = face(unit({ 0: 1, 1: 0.175, 3: 0.02 })); // as close to Ann as to Bob: not asked
  const refused = face(unit({ 0: 1, 1: 0.05, 2: 0.02 })); // nearest Ann, who was refused for it; Bob within reach: not asked
  store.constraints.add(refused, ann, 'not');
  const far = face(unit({ 1: 1 })); // nobody's: not asked

  // The distance rules alone (Ann and Bob have two faces each: the neighbour rule is tested below).
  const rules = { modelId: 'dlib-resnet', maybeFactor: 0.75, neighbours: 0 };
  const queue = reviewQueue(store, rules);
  assert.deepEqual(queue.questions.map((q) => [q.faceId, q.personName]), [[nearAnn, 'Ann']]);
  assert.equal(queue.maybeUpTo, queue.threshold * 0.75);
  // Each rule alone is what keeps the others out: without the margin the face between them is asked about, and
  // (no margin, wide band) the refused face would be offered to Bob only under the old rule, which this one replaces.
  const noMargin = reviewQueue(store, { ...rules, margin: 0 });
  assert.deepEqual(noMargin.questions.map((q) => q.faceId).sort((a, b) => a - b), [nearAnn, between].sort((a, b) => a - b));
  assert.ok(!noMargin.questions.some((q) => q.faceId === refused || q.faceId === far));
  assert.ok(REVIEW_MARGIN > 0);
  const defaults = reviewQueue(store, { modelId: 'dlib-resnet' });
  assert.equal(defaults.maybeUpTo, defaults.threshold * REVIEW_MAYBE_FACTOR);
  assert.equal(defaults.margin, REVIEW_MARGIN);
  assert.equal(defaults.neighbours, REVIEW_NEIGHBOURS);
  store.close();
});

test("asks about a face among the person's own faces, not about a look-alike stranger nearer than them by distance", () => {
  // The LFW case the neighbour rule is for: two strangers who look alike and resemble Ann (nearer her, by average
  // linkage, than one of her own faces that the clustering left out), and that face of Ann's. By distance alone the
  // strangers come first; among the faces around each, only Ann's own face has nothing but Ann's faces nearest.
  const store = createTestStore();
  const face = faceMaker(store);
  const annVectors = [2, 3, 4, 5, 6, 7].map((d) => unit({ 0: 1, [d]: 0.1 }));
  const ann = store.persons.create({ name: 'Ann' }).id;
  store.assignments.assignByUser(annVectors.map((v) => face(v)), ann);
  const bob = store.persons.create({ name: 'Bob' }).id;
  store.assignments.assignByUser([face(unit({ 1: 1, 2: 0.1 })), face(unit({ 1: 1, 3: 0.1 }))], bob);

  const strangerVectors = [unit({ 0: 1, 20: 0.27 }), unit({ 0: 1, 20: 0.27, 21: 0.08 })];
  const strangers = strangerVectors.map((v) => face(v));
  const annOutlier = unit({ 0: 1, 30: 0.34 });
  const annsOwn = face(annOutlier);

  const threshold = reviewQueue(store, { modelId: 'dlib-resnet' }).threshold;
  const [s0, s1] = strangerVectors.map((v) => averageDistance(v, annVectors));
  const outlier = averageDistance(annOutlier, annVectors);
  // The strangers are within the old reach (0.75 × the threshold), Ann's own face just beyond it, within the threshold.
  assert.ok(s0! < 0.75 * threshold && s1! < 0.75 * threshold, `${s0} ${s1} ${threshold}`);
  assert.ok(outlier > 0.75 * threshold && outlier < threshold, `${outlier} ${threshold}`);

  // The old rule (0.75 × the threshold, margin 0.02, no neighbour rule) asked about both strangers and not about Ann's face.
  const old = reviewQueue(store, { modelId: 'dlib-resnet', maybeFactor: 0.75, margin: 0.02, neighbours: 0 });
  assert.deepEqual(old.questions.map((q) => q.faceId).sort((a, b) => a - b), strangers);

  // The rule in use asks about Ann's face only: each stranger has the other nearer than Ann's 5th nearest face.
  const queue = reviewQueue(store, { modelId: 'dlib-resnet' });
  assert.deepEqual(queue.questions.map((q) => [q.faceId, q.personName, q.band]), [[annsOwn, 'Ann', 'likely']]);
  assert.ok(Math.abs(queue.questions[0]!.distance - outlier) < 1e-6);

  // Asking for more neighbours than Ann has faces asks for all of hers: the same answer here.
  assert.deepEqual(reviewQueue(store, { modelId: 'dlib-resnet', neighbours: annVectors.length + 3 }).questions.map((q) => q.faceId), [annsOwn]);
  // A stranger's face nearer to that face of Ann's than her own faces are: with all 6 of hers counted, no longer asked.
  const intruder = face(unit({ 0: 1, 30: 0.34, 31: 0.3 }));
  const after = reviewQueue(store, { modelId: 'dlib-resnet', neighbours: annVectors.length });
  assert.ok(!after.questions.some((q) => q.faceId === annsOwn), JSON.stringify(after.questions));
  assert.ok(!after.questions.some((q) => q.faceId === intruder));
  store.close();
});
