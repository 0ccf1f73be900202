/** The embedding cache of the LFW evaluations keeps int8 and fp32 vectors apart. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PRECISION, networkPrecisions } from '../embed/precision.ts';
import { embeddingCacheModel, runPrecision } from './degrade.ts';
import { detectionCacheFile } from './lfwEmbed.ts';

test('embedding cache: int8 vectors are cached under their own name, fp32 ones under the plain model id', () => {
  const saved = process.env.FACET_PRECISION, savedBackend = process.env.FACET_BACKEND;
  try {
    delete process.env.FACET_PRECISION;
    delete process.env.FACET_BACKEND;
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet', precision: 'fp32' }), 'dlib-resnet');
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet', precision: 'int8' }), 'dlib-resnet.int8');
    assert.equal(embeddingCacheModel({}), networkPrecisions(DEFAULT_PRECISION).embedder === 'int8' ? 'dlib-resnet.int8' : 'dlib-resnet', 'the default precision decides');
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet', precision: 'int8-embedder' }), 'dlib-resnet.int8');
    process.env.FACET_PRECISION = 'int8';
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet' }), 'dlib-resnet.int8', 'FACET_PRECISION is what the pipeline will run');
    assert.equal(embeddingCacheModel({ embedder: 'dlib-resnet', backend: 'wasm' }), 'dlib-resnet', 'tfjs backends run fp32 whatever is asked');
    assert.equal(embeddingCacheModel({ embedder: 'faceres' }), 'faceres', 'networks without a quantized graph run fp32');
    process.env.FACET_BACKEND = 'wasm';
    assert.equal(runPrecision({}), 'fp32', 'FACET_BACKEND names the backend when the pipeline does not');
    assert.equal(runPrecision({ backend: 'onnx' }), 'int8');
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
