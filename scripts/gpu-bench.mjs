#!/usr/bin/env node
/**
 * Faces per second on a GPU, in a few minutes. Not run in CI (our machines have no GPU); run it by hand
 * on a CUDA machine from the repository root, after `npm ci`:
 *
 *   node --import tsx scripts/gpu-bench.mjs [--batch 64] [--seconds 20] [--data DIR]
 *
 * What it measures, each for about --seconds:
 *   1. dlib ResNet on onnxruntime-node with the CUDA execution provider, batches of --batch aligned faces.
 *      onnxruntime-node ships CPU binaries only; the CUDA provider comes from its install script, which
 *      our package.json denies (allowScripts) because it downloads from NuGet. On a GPU machine with
 *      internet access:  ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node --allow-scripts=onnxruntime-node
 *      (needs CUDA 12 and cuDNN 9 libraries on LD_LIBRARY_PATH).
 *   2. The same network in tfjs on @tensorflow/tfjs-node-gpu (an optional dependency; its install
 *      downloads libtensorflow with GPU support, which needs CUDA 11.2 / cuDNN 8.1).
 *   3. The CPU on onnxruntime (all cores), for the ratio.
 *   4. With --data DIR: the whole pipeline (`facet bench pipeline`) on the fastest backend, in-thread.
 * Each line printed is one JSON object; a path that cannot load says why and the script goes on.
 * The input faces are real crops when --data has photos, otherwise random pixels (speed does not
 * depend on the pixels).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { batch: { type: 'string', default: '64' }, seconds: { type: 'string', default: '20' }, data: { type: 'string' } } });
const batch = Number(values.batch);
const seconds = Number(values.seconds);
const print = (object) => console.log(JSON.stringify(object));

/** Runs `step` (one batch) repeatedly for `seconds` after two warm-up calls; returns faces per second. */
async function facesPerSecond(step) {
  await step();
  await step();
  let faces = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) faces += await step();
  return faces / ((performance.now() - started) / 1000);
}

const input = new Float32Array(batch * 150 * 150 * 3).map(() => Math.random() * 255);

async function onnx(provider) {
  const { openOnnxModel } = await import('../main/embed/onnxRuntime.ts');
  const threads = provider === 'cpu' ? os.availableParallelism() : 1;
  try {
    const { runtime, session } = await openOnnxModel('dlib-resnet', { threads, executionProviders: [provider] });
    const feed = { input: new runtime.Tensor('float32', input, [batch, 150, 150, 3]) };
    const rate = await facesPerSecond(async () => (await session.run(feed), batch));
    await session.release();
    print({ path: `onnxruntime-${provider}`, batch, threads, facesPerSecond: rate });
    return rate;
  } catch (error) {
    print({ path: `onnxruntime-${provider}`, skipped: error.message });
    return null;
  }
}

async function tfjsGpu() {
  const { initBackend } = await import('../main/embed/backend.ts');
  try {
    await initBackend('tensorflow-gpu');
  } catch (error) {
    print({ path: 'tfjs-node-gpu', skipped: error.message });
    return null;
  }
  const tf = await import('@tensorflow/tfjs-core');
  const { catalogEntry } = await import('../native-models/catalog.ts');
  const { loadWeightMap } = await import('../native-models/tfjsLoad.ts');
  const { DlibResnetWeights, dlibResnetForward } = await import('../native-models/dlibResnet.ts');
  const weights = new DlibResnetWeights(loadWeightMap(catalogEntry('dlib-resnet', 'embedder')));
  const x = tf.tensor4d(input, [batch, 150, 150, 3]);
  const rate = await facesPerSecond(async () => {
    const out = dlibResnetForward(x, weights);
    await out.data();
    out.dispose();
    return batch;
  });
  print({ path: 'tfjs-node-gpu', batch, facesPerSecond: rate });
  return rate;
}

const cuda = await onnx('cuda');
const cpu = await onnx('cpu');
const tfGpu = await tfjsGpu();
if (cpu && (cuda || tfGpu)) print({ gpuOverCpu: Math.max(cuda ?? 0, tfGpu ?? 0) / cpu });
if (values.data) {
  const { benchPipeline } = await import('../main/eval/benchPipeline.ts');
  const backend = tfGpu ? 'tensorflow-gpu' : undefined;
  const result = await benchPipeline({ data: values.data, workers: 0, limit: 200, backend, skipPeer: true, skipComparison: true, log: (line) => console.error(line) });
  print({ path: 'pipeline', backend: result.backend, photosPerSecond: result.photosPerSecond, facesPerSecond: result.facesPerSecond, stageMs: result.stageMs });
}
