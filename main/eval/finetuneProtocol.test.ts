/** The personalisation protocol's scoring, on synthetic embeddings whose answer is known. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityAdapter } from '../learn/adapter.ts';
import { createRng } from '../core/random.ts';
import { type FaceRole, balancedPairs, compareSpaces, scoreSpace } from './finetuneProtocol.ts';
import { normalizeRow, randomUnitVectors } from '../cluster/syntheticFaces.ts';

/** `people` persons of `perPerson` faces, each face its person's centre plus noise of size `noise`; the first 6 persons named. */
function synthetic(people: number, perPerson: number, noise: number, dim = 16) {
  const centres = randomUnitVectors(people, dim, 7);
  const jitter = randomUnitVectors(people * perPerson, dim, 8);
  const vectors = new Float32Array(people * perPerson * dim);
  const identity = new Int32Array(people * perPerson);
  const role: FaceRole[] = [];
  for (let p = 0; p < people; p++) {
    for (let k = 0; k < perPerson; k++) {
      const row = p * perPerson + k;
      identity[row] = p;
      role.push(p >= 6 ? 'stranger' : k < 3 ? 'named' : 'heldOut');
      for (let j = 0; j < dim; j++) vectors[row * dim + j] = centres[p * dim + j]! + noise * jitter[row * dim + j]!;
      normalizeRow(vectors, row, dim);
    }
  }
  return { vectors, faces: { dim, identity, role } };
}

describe('finetune protocol', () => {
  it('draws balanced, distinct same-person pairs and as many different-person ones', () => {
    const identity = Int32Array.from([0, 0, 0, 1, 1, 2]);
    const pairs = balancedPairs(identity, [0, 1, 2, 3, 4, 5], 2, createRng(1));
    const same = pairs.filter(([, , s]) => s);
    assert.equal(same.length, 3); // 2 of person 0's three pairs, person 1's only pair
    assert.equal(pairs.length, 6);
    assert.equal(new Set(same.map(([a, b]) => `${a}-${b}`)).size, 3);
    for (const [a, b, s] of pairs) assert.equal(identity[a] === identity[b], s);
  });

  it('scores well-separated people perfectly and noise far lower', () => {
    const tight = synthetic(12, 8, 0.05);
    const clean = scoreSpace(tight.vectors, tight.faces, 0.3);
    assert.equal(clean.bcubedF, 1);
    assert.equal(clean.accuracy, 1);
    assert.equal(clean.clusters, 6 + 6); // held-out people and strangers, one cluster each

    const loose = synthetic(12, 8, 3);
    const noisy = scoreSpace(loose.vectors, loose.faces, 0.3);
    assert.ok(noisy.bcubedF < 0.7, `BCubed F on noise ${noisy.bcubedF}`);
    assert.ok(noisy.accuracy < 0.8, `accuracy on noise ${noisy.accuracy}`);
  });

  it('an identity adapter changes nothing', () => {
    const { vectors, faces } = synthetic(10, 6, 0.8);
    const { before, after } = compareSpaces(vectors, faces, identityAdapter(16), { before: 0.5, after: 0.5 });
    assert.equal(after.bcubedF, before.bcubedF);
    assert.equal(after.accuracy, before.accuracy);
  });
});
