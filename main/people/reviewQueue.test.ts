/** The review queue's rules on a small store: the band, the margin to the second-nearest person, no chain after a "no". */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addFaces, createTestStore } from '../store/testing.ts';
import { REVIEW_MARGIN, REVIEW_MAYBE_FACTOR, reviewQueue } from './reviewQueue.ts';

const DIM = 128;
/** A unit vector with these first components (the rest 0). */
function unit(...components: number[]): Float32Array {
  const v = new Float32Array(DIM);
  components.forEach((c, i) => (v[i] = c));
  const norm = Math.hypot(...components);
  return v.map((x) => x / norm);
}

test('asks where the nearest person is plausible and clearly nearest; never the next person after a "no"', () => {
  const store = createTestStore();
  let photo = 0;
  const face = (vector: Float32Array) => {
    const [id] = addFaces(store, 1, `p${photo++}.jpg`);
    store.embeddings.put(id!, 'dlib-resnet', vector);
    return id!;
  };
  // Ann and Bob, 0.11 apart (squared distance of their faces' means): look-alikes, as LFW has many.
  const ann = store.persons.create({ name: 'Ann' }).id;
  const bob = store.persons.create({ name: 'Bob' }).id;
  store.assignments.assignByUser([face(unit(1, 0, 0.05)), face(unit(1, 0, -0.05))], ann);
  store.assignments.assignByUser([face(unit(1, 0.35, 0.05)), face(unit(1, 0.35, -0.05))], bob);

  const nearAnn = face(unit(1, 0, 0.1, 0.05)); // close to Ann, far from Bob: asked
  const between = face(unit(1, 0.175, 0, 0.02)); // as close to Ann as to Bob: not asked
  const refused = face(unit(1, 0.05, 0.02)); // nearest Ann, who was refused for it; Bob within the band: not asked
  store.constraints.add(refused, ann, 'not');
  const far = face(unit(0, 1)); // nobody's: not asked

  const queue = reviewQueue(store, { modelId: 'dlib-resnet' });
  assert.deepEqual(queue.questions.map((q) => [q.faceId, q.personName]), [[nearAnn, 'Ann']]);
  assert.equal(queue.maybeUpTo, queue.threshold * REVIEW_MAYBE_FACTOR);
  // Each rule alone is what keeps the others out: without the margin the face between them is asked about, and
  // (no margin, wide band) the refused face would be offered to Bob only under the old rule, which this one replaces.
  const noMargin = reviewQueue(store, { modelId: 'dlib-resnet', margin: 0 });
  assert.deepEqual(noMargin.questions.map((q) => q.faceId).sort((a, b) => a - b), [nearAnn, between].sort((a, b) => a - b));
  assert.ok(!noMargin.questions.some((q) => q.faceId === refused || q.faceId === far));
  assert.ok(REVIEW_MARGIN > 0);
  store.close();
});
