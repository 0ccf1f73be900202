import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidValueError } from './errors/index.ts';
import { createTestStore } from './testing.ts';

test('settings keep JSON values by key', () => {
  const { settings } = createTestStore();
  assert.equal(settings.get('missing'), undefined);
  settings.set('cluster.threshold', 0.62);
  settings.set('ui', { theme: 'dark', grid: [3, 4] });
  settings.set('ui', { theme: 'light' });
  assert.equal(settings.get('cluster.threshold'), 0.62);
  assert.deepEqual(settings.all(), { 'cluster.threshold': 0.62, ui: { theme: 'light' } });
  assert.throws(() => settings.set('nope', undefined), InvalidValueError);
  assert.equal(settings.delete('ui'), true);
  assert.equal(settings.delete('ui'), false);
});
