import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { synthesizeFaces } from './syntheticFaces.ts';
import { clusterFaces } from './clusterFaces.ts';
import { matchClusters } from './matchClusters.ts';

describe('matchClusters', () => {
  it('renamed labels get their previous ids back', () => {
    const previous = [7, 7, 7, 3, 3, -1, 9];
    const next = [1, 1, 1, 0, 0, -1, 2];
    const match = matchClusters(previous, next);
    assert.deepEqual([...match.labels], previous);
    assert.equal(match.matched, 3);
    assert.equal(match.nextId, 10);
  });

  it('a split keeps the id on the larger part; the rest get fresh ids', () => {
    const previous = [4, 4, 4, 4, 4, 2, 2];
    const next = [0, 0, 0, 1, 1, 2, 2];
    const match = matchClusters(previous, next);
    assert.deepEqual([...match.labels], [4, 4, 4, 5, 5, 2, 2]);
  });

  it('a merge keeps the id of the larger previous cluster', () => {
    const previous = [1, 1, 2, 2, 2];
    const next = [0, 0, 0, 0, 0];
    assert.deepEqual([...matchClusters(previous, next).labels], [2, 2, 2, 2, 2]);
  });

  it('ids stay stable when faces are added and the library is clustered again', () => {
    const faces = synthesizeFaces({ faces: 1200, seed: 41 });
    const dim = 128;
    const before = 1000;
    const first = clusterFaces({ vectors: faces.vectors.subarray(0, before * dim), dim, threshold: 1.0 });
    const second = clusterFaces({ vectors: faces.vectors, dim, threshold: 1.0 });
    const previous = new Int32Array(1200).fill(-1);
    previous.set(first.labels);
    const match = matchClusters(previous, second.labels);
    // Every old cluster whose faces are still together keeps its id.
    for (const cluster of first.clusters) {
      const ids = new Set(Array.from(cluster.members, (f) => match.labels[f]));
      assert.deepEqual([...ids], [cluster.label]);
    }
  });
});
