import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { lfwDir, parsePairs } from './lfwPairs.ts';

test('pairs.txt is parsed into folds of matched then mismatched pairs', () => {
  const text = '2\t1\nA\t1\t2\nB\t1\tC\t3\nD\t2\t4\nE\t1\tF\t1\n';
  const pairs = parsePairs(text, '/lfw');
  assert.equal(pairs.length, 4);
  assert.deepEqual(pairs.map((p) => [p.same, p.fold]), [[true, 0], [false, 0], [true, 1], [false, 1]]);
  assert.equal(pairs[0]!.a, '/lfw/images_deepfunneled/A/A_0001.jpg');
  assert.equal(pairs[1]!.b, '/lfw/images_deepfunneled/C/C_0003.jpg');
  assert.throws(() => parsePairs('1\t1\nA\t1\n', '/lfw'), /line 2 .* matched pair/);
});

test('lfwDir: FACET_LFW_DIR when set, else ../shared/data/lfw beside the repository', () => {
  assert.equal(lfwDir({ FACET_LFW_DIR: 'some/where' }), path.resolve('some/where'));
  const repo = path.resolve(import.meta.dirname, '..', '..');
  assert.equal(lfwDir({}), path.join(path.dirname(repo), 'shared', 'data', 'lfw'));
});
