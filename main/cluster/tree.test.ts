import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { synthesizeFaces } from '../eval/syntheticFaces.ts';
import { clusterFaces } from './clusterFaces.ts';
import { ClusterInputError } from './errors.ts';
import { groupedPoints } from './testHelpers.ts';
import { cutTree } from './tree.ts';
import type { Linkage } from './types.ts';

describe('cutTree', () => {
  for (const linkage of ['average', 'single', 'complete'] as Linkage[]) {
    it(`${linkage}: cutting the tree equals clustering again at that threshold`, () => {
      const dim = 8;
      const vectors = groupedPoints(400, dim, 3);
      const photoIds = Int32Array.from({ length: 400 }, (_, i) => Math.floor(i / 4));
      const common = { vectors, dim, linkage, photoIds, namedGroups: [[0, 1]], minClusterSize: 3 };
      const full = clusterFaces({ ...common, threshold: 0.6, treeMaxThreshold: 1.8 });
      for (const threshold of [0.2, 0.45, 0.6, 0.9, 1.3, 1.8]) {
        const again = clusterFaces({ ...common, threshold });
        const cut = cutTree(full.tree, threshold, 3);
        assert.deepEqual(cut.labels, again.labels, `threshold ${threshold}`);
        assert.equal(cut.clusters.length, again.clusters.length);
      }
    });
  }

  it('the clustering result is the cut at its own threshold', () => {
    const faces = synthesizeFaces({ faces: 800, seed: 4 });
    const result = clusterFaces({ vectors: faces.vectors, dim: 128, threshold: 0.9, treeMaxThreshold: 1.2, photoIds: faces.photoIds });
    assert.deepEqual(cutTree(result.tree, 0.9).labels, result.labels);
    // A higher threshold never gives more clusters of at least one face.
    const counts = [0.5, 0.7, 0.9, 1.1].map((t) => cutTree(result.tree, t, 1).clusters.length);
    assert.deepEqual([...counts].sort((a, b) => b - a), counts);
  });

  it('refuses a threshold above the tree height', () => {
    const vectors = groupedPoints(50, 4, 1);
    const result = clusterFaces({ vectors, dim: 4, threshold: 0.5 });
    assert.throws(() => cutTree(result.tree, 0.6), ClusterInputError);
  });
});
