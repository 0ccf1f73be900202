/** The personalisation protocol's scoring, on synthetic embeddings whose answer is known. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityAdapter } from '../learn/adapter.ts';
import { createRng } from '../core/random.ts';
import { type FaceRole, assignRoles, balancedPairs, compareSpaces, scoreSpace, summariseSeeds } from './finetuneProtocol.ts';
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

describe('finetune protocol over seeds', () => {
  it('confirms half of each named person\'s faces (at least two, never all), by seed', () => {
    const identity = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3]);
    const roles = assignRoles(identity, 2, {}, 1);
    const count = (person: number, role: FaceRole) => roles.filter((r, i) => identity[i] === person && r === role).length;
    assert.deepEqual([count(0, 'named'), count(0, 'heldOut'), count(1, 'named'), count(1, 'heldOut')], [5, 5, 6, 6]);
    assert.deepEqual(roles.slice(22), ['stranger', 'stranger', 'stranger']);
    assert.notDeepEqual(assignRoles(identity, 2, {}, 2), roles, 'which faces are confirmed depends on the seed');
    assert.deepEqual(assignRoles(identity, 2, {}, 1), roles, 'and only on it');
    const five = assignRoles(identity, 2, { count: 5 }, 1);
    assert.equal(five.filter((r) => r === 'named').length, 10);
  });

  it('summarises gains over seeds: mean, sample sd and the seed with the lowest degraded gain', () => {
    const space = (bcubedF: number) => ({ bcubedF, bcubedPrecision: 0, bcubedRecall: 0, clusters: 0, clusterThreshold: 0, accuracy: 0, verificationThreshold: 0, pairs: 0 });
    const seed = (s: number, clean: number, degraded: number, lfw: number) => ({
      seed: s, clean: { before: space(0.9), after: space(0.9 + clean) }, degraded: { before: space(0.5), after: space(0.5 + degraded) },
      lfwAccuracyBefore: 0.99, lfwAccuracyAfter: 0.99 + lfw,
    });
    const { gain, sd, worst } = summariseSeeds([seed(1, 0.01, 0.04, 0), seed(2, 0.03, 0.02, -0.002), seed(3, 0.02, 0.06, 0.002)]);
    assert.ok(Math.abs(gain.cleanF - 0.02) < 1e-12 && Math.abs(gain.degradedF - 0.04) < 1e-12 && Math.abs(gain.lfwAccuracy) < 1e-12);
    assert.ok(Math.abs(sd.degradedF - 0.02) < 1e-12 && Math.abs(sd.cleanF - 0.01) < 1e-12);
    assert.equal(worst.seed, 2);
    assert.ok(Math.abs(worst.degradedF - 0.02) < 1e-12);
  });
});
