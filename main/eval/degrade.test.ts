/** The embedding caches of the LFW evaluations keep apart what ran in int8 and what ran in fp32, network by network. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PRECISION, networkPrecisions } from '../embed/precision.ts';
import { embeddingCacheModel, plannedPrecisions } from './degrade.ts';
import { detectionCacheFile } from './lfwEmbed.ts';

test('embedding cache: named by what ran in int8; fp32 keeps the plain model id', () => {
  const saved = process.env.FACET_PRECISION, savedBackend = process.env.FACET_BACKEND;
  try {
    delete process.env.FACET_PRECISION;
    delete process.env.FACET_BACKEND;
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet', precision: 'fp32' }), 'dlib-resnet');
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet', precision: 'int8-embedder' }), 'dlib-resnet.int8-embedder');
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet', precision: 'int8' }), 'dlib-resnet.int8-both', 'the int8 SSD\'s landmarks differ: a cache of its own');
    assert.equal(embeddingCacheModel({ embedder: 'faceres', precision: 'int8' }), 'faceres.ssd-int8', 'a float embedder on the int8 SSD\'s landmarks');
    assert.equal(embeddingCacheModel({ embedder: 'faceres', precision: 'int8-embedder' }), 'faceres', 'networks without a quantized graph run fp32');
    const expected = networkPrecisions(DEFAULT_PRECISION).embedder === 'int8' ? 'dlib-resnet.int8-embedder' : 'dlib-resnet';
    assert.equal(embeddingCacheModel({}), expected, 'the default precision decides');
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet', backend: 'wasm', precision: 'int8' }), 'dlib-resnet', 'tfjs backends run fp32 whatever is asked');
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet', backend: 'onnxruntime', precision: 'int8' }), 'dlib-resnet.int8-both', 'every name of the onnx backend');
    process.env.FACET_PRECISION = 'int8';
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet' }), 'dlib-resnet.int8-both', 'FACET_PRECISION is what the pipeline will run');
    process.env.FACET_BACKEND = 'wasm';
    assert.deepEqual(plannedPrecisions({}), { detector: 'fp32', embedder: 'fp32' }, 'FACET_BACKEND names the backend when the pipeline does not');
    assert.deepEqual(plannedPrecisions({ backend: 'onnx' }), { detector: 'int8', embedder: 'int8' });
  } finally {
    if (saved === undefined) delete process.env.FACET_PRECISION;
    else process.env.FACET_PRECISION = saved;
    if (savedBackend === undefined) delete process.env.FACET_BACKEND;
    else process.env.FACET_BACKEND = savedBackend;
  }
});

test('detection cache: the int8 SSD\'s detections have their own file; fp32 keeps the name earlier rounds wrote', () => {
  assert.equal(detectionCacheFile('/c', 'ssd-mobilenetv1', 0.1), '/c/lfw-detections-ssd-mobilenetv1-floor0.1.json');
  assert.equal(detectionCacheFile('/c', 'ssd-mobilenetv1', 0.1, 'fp32'), '/c/lfw-detections-ssd-mobilenetv1-floor0.1.json');
  assert.equal(detectionCacheFile('/c', 'ssd-mobilenetv1', 0.1, 'int8'), '/c/lfw-detections-ssd-mobilenetv1.int8-floor0.1.json');
});
