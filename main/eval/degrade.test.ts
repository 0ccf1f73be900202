/** The embedding cache of the LFW evaluations keeps int8 and fp32 vectors apart. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PRECISION } from '../embed/precision.ts';
import { embeddingCacheModel } from './degrade.ts';

test('embedding cache: int8 vectors are cached under their own name, fp32 ones under the plain model id', () => {
  const saved = process.env.FACET_PRECISION;
  try {
    delete process.env.FACET_PRECISION;
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet', precision: 'fp32' }), 'dlib-resnet');
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet', precision: 'int8' }), 'dlib-resnet.int8');
    assert.equal(embeddingCacheModel({}), DEFAULT_PRECISION === 'int8' ? 'dlib-resnet.int8' : 'dlib-resnet', 'the default precision decides');
    process.env.FACET_PRECISION = 'int8';
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet' }), 'dlib-resnet.int8', 'FACET_PRECISION is what the pipeline will run');
  } finally {
    if (saved === undefined) delete process.env.FACET_PRECISION;
    else process.env.FACET_PRECISION = saved;
  }
});
