/**
 * The optimised-graph cache (onnxRuntime.ts): a session over the graph onnxruntime saved gives the same outputs as a
 * session that optimises the converted graph itself, is made once, is made again when damaged, and replaces graphs
 * left by another onnxruntime or CPU.
 * Real onnxruntime and real converted models; skipped where onnxruntime-node is not installed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadConvertedModel } from '../../native-models/onnx/cache.ts';
import { createOnnxSession, loadOnnxRuntime, openOnnxModel, optimisationKey, optimisedGraph, type OnnxRuntime } from './onnxRuntime.ts';

let runtime: OnnxRuntime | Error;
const cacheDir = mkdtempSync(path.join(tmpdir(), 'facet-ort-cache-'));
const previousCacheDir = process.env.FACET_CACHE_DIR;

before(async () => {
  process.env.FACET_CACHE_DIR = cacheDir;
  runtime = await loadOnnxRuntime();
});

after(() => {
  if (previousCacheDir === undefined) delete process.env.FACET_CACHE_DIR;
  else process.env.FACET_CACHE_DIR = previousCacheDir;
  rmSync(cacheDir, { recursive: true, force: true });
});

/** A fixed pseudo-random batch of two 112 px faces, [2, 112, 112, 3] float32 in 0..255. */
function faces(): Float32Array {
  const data = new Float32Array(2 * 112 * 112 * 3);
  let state = 7;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    data[i] = (state / 2 ** 31) * 255;
  }
  return data;
}

test('a session over the saved optimised graph gives the outputs of one that optimises the converted graph', async (t) => {
  if (runtime instanceof Error) return t.skip(runtime.message);
  const model = loadConvertedModel('landmark68');
  const file = await optimisedGraph(runtime, model);
  assert.ok(file, 'the cache folder is writable');
  assert.equal(file, model.path.replace(/\.onnx$/u, `.ort-${optimisationKey(runtime)}.onnx`));
  const input = { faces: new runtime.Tensor('float32', faces(), [2, 112, 112, 3]) };
  const fresh = await createOnnxSession(runtime, model.bytes, { threads: 1 });
  const saved = await createOnnxSession(runtime, file, { threads: 1, alreadyOptimised: true });
  const expected = (await fresh.run(input)).landmarks!.data as Float32Array;
  const actual = (await saved.run(input)).landmarks!.data as Float32Array;
  assert.equal(actual.length, 2 * 136);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  assert.ok(worst < 1e-6, `largest difference ${worst}`);
  await fresh.release();
  await saved.release();
});

test('the optimised graph is made once, read back after, made again when damaged, and replaces one left by another onnxruntime', async (t) => {
  if (runtime instanceof Error) return t.skip(runtime.message);
  const model = loadConvertedModel('landmark68');
  const file = (await optimisedGraph(runtime, model))!;
  const made = statSync(file).mtimeMs;
  assert.equal(await optimisedGraph(runtime, model), file);
  assert.equal(statSync(file).mtimeMs, made, 'an intact file is not rewritten');

  // A graph optimised for another onnxruntime or CPU, left over after an upgrade: removed when a graph is made.
  const stale = model.path.replace(/\.onnx$/u, '.ort-000000000000.onnx');
  writeFileSync(stale, 'made by another onnxruntime');
  writeFileSync(`${stale}.sha256`, 'x');
  const intact = readFileSync(file);
  const damaged = Buffer.from(intact);
  damaged[damaged.length >> 1] ^= 0xff;
  writeFileSync(file, damaged);
  assert.equal(await optimisedGraph(runtime, model), file);
  assert.deepEqual(readFileSync(file), intact, 'the damaged file is made again, byte for byte');
  assert.ok(!existsSync(stale) && !existsSync(`${stale}.sha256`), 'the stale graph and its checksum are gone');
  assert.ok(existsSync(`${file}.sha256`) && existsSync(model.path), 'the current graph, its checksum and the converted graph stay');

  // openOnnxModel goes through the cache: the session it returns runs.
  const opened = await openOnnxModel('landmark68', { threads: 1 });
  const out = await opened.session.run({ faces: new opened.runtime.Tensor('float32', faces(), [2, 112, 112, 3]) });
  assert.equal((out.landmarks!.data as Float32Array).length, 2 * 136);
  await opened.session.release();
});
