import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WeightInit } from './init.ts';

test('WeightInit replays the weights recorded before it shared core/random.ts', () => {
  const init = new WeightInit(42);
  const values = [...init.heUniform(3, 9), ...init.glorotUniform(2, 4, 4)];
  const recorded = [0.16510173678398132, -0.0844411626458168, 0.5755742192268372, 0.2939879894256592, -0.5632388591766357];
  assert.deepEqual(values, recorded);
});
