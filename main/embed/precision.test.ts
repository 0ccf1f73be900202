/** --precision / FACET_PRECISION: checked by name, resolved option first, then the variable, then the default. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PRECISION, networkPrecisions, PrecisionError, precisionFrom, precisionsOf, resolvePrecision } from './precision.ts';

test('a precision mode is fp32, int8-embedder or int8; anything else is an error naming the field', () => {
  assert.equal(precisionFrom('int8', '--precision'), 'int8');
  assert.equal(precisionFrom('int8-embedder', '--precision'), 'int8-embedder');
  assert.equal(precisionFrom('', 'FACET_PRECISION'), undefined);
  assert.equal(precisionFrom(undefined, 'FACET_PRECISION'), undefined);
  assert.throws(() => precisionFrom('int4', 'FACET_PRECISION'), (error: unknown) => error instanceof PrecisionError && error.field === 'FACET_PRECISION' && /int4/.test(error.message));
});

test('resolution: the option, else FACET_PRECISION, else the default (and whether it was asked for)', () => {
  assert.deepEqual(resolvePrecision('fp32', { FACET_PRECISION: 'int8' }), { precision: 'fp32', requested: true });
  assert.deepEqual(resolvePrecision(undefined, { FACET_PRECISION: 'int8' }), { precision: 'int8', requested: true });
  assert.deepEqual(resolvePrecision(undefined, {}), { precision: DEFAULT_PRECISION, requested: false });
});

test('each mode says what the detector and the embedder run in', () => {
  assert.deepEqual(networkPrecisions('fp32'), { detector: 'fp32', embedder: 'fp32' });
  assert.deepEqual(networkPrecisions('int8-embedder'), { detector: 'fp32', embedder: 'int8' });
  assert.deepEqual(networkPrecisions('int8'), { detector: 'int8', embedder: 'int8' });
});

test('a network without an int8 graph runs fp32 whatever the mode', () => {
  assert.deepEqual(precisionsOf('int8', 'ssd-mobilenetv1', 'dlib-resnet'), { detector: 'int8', embedder: 'int8' });
  assert.deepEqual(precisionsOf('int8', 'tiny-face-detector', 'faceres'), { detector: 'fp32', embedder: 'fp32' });
  assert.deepEqual(precisionsOf('int8-embedder', 'ssd-mobilenetv1', 'mobileface'), { detector: 'fp32', embedder: 'fp32' });
});
