import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, mulberry32, Random, sample, shuffled } from './random.ts';

// Values recorded from the four generators this one replaced (cluster/random.ts, learn/rng.ts,
// api/testing.ts, facenet/init.ts) before they were merged: seeded runs must replay exactly.
test('Random replays the recorded sequences, seed 0 mapped to 0x9e3779b9', () => {
  const zero = new Random(0);
  assert.deepEqual([zero.next(), zero.next()], [0.3588899802416563, 0.10590326134115458]);
  const seven = new Random(7);
  assert.deepEqual(
    [seven.next(), seven.gaussian(), seven.gaussian(), seven.int(1000)],
    [0.011704753153026104, 2.33373171783212, -0.3410059242881968, 699],
  );
});

test('createRng and mulberry32 start from the seed as given (seed 0 included)', () => {
  const zero = createRng(0);
  assert.deepEqual([zero.next(), zero.int(1000)], [0.26642920868471265, 0]);
  const seven = createRng(7);
  assert.deepEqual([seven.next(), seven.next()], [0.011704753153026104, 0.06195825757458806]);
  const raw = mulberry32(7);
  assert.deepEqual([raw(), raw()], [0.011704753153026104, 0.06195825757458806]);
});

test('shuffled is a seeded permutation; sample takes distinct items', () => {
  const items = Array.from({ length: 20 }, (_, i) => i);
  const a = shuffled(items, createRng(3));
  assert.deepEqual(a, shuffled(items, createRng(3)));
  assert.notDeepEqual(a, items);
  assert.deepEqual([...a].sort((x, y) => x - y), items);
  const picked = sample(items, 5, createRng(4));
  assert.equal(new Set(picked).size, 5);
  assert.equal(sample(items, 50, createRng(4)).length, 20);
});
