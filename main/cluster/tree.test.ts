import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { synthesizeFaces } from './syntheticFaces.ts';
import { clusterFaces } from './clusterFaces.ts';
import { ClusterInputError } from './errors.ts';
import { groupedPoints } from './testHelpers.ts';
import { cutTree, mergeLimit, partitionAt } from './tree.ts';
import type { ClusterTree } from './types.ts';
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

/**
 * An independent statement of the cautious cut: build the tree's nodes, mark a node valid when both
 * children are valid and its height is within mergeLimit of their sizes; clusters are the maximal
 * valid nodes. Returns each face's cluster as its smallest face.
 */
function maximalValidSubtrees(tree: ClusterTree, threshold: number, caution: number): Int32Array {
  type Node = { faces: number[]; valid: boolean };
  const nodeOf = new Map<number, Node>(); // current top node by smallest face
  for (let f = 0; f < tree.n; f++) nodeOf.set(f, { faces: [f], valid: true });
  const order = Array.from(tree.height.keys()).sort((x, y) => tree.height[x]! - tree.height[y]!);
  const tops = new Set(nodeOf.values());
  const top = (f: number) => [...tops].find((node) => node.faces.includes(f))!;
  const finalClusters: number[][] = [];
  for (const m of order) {
    const a = top(tree.left[m]!), b = top(tree.right[m]!);
    if (a === b) continue;
    const valid = a.valid && b.valid && tree.height[m]! <= mergeLimit(threshold, caution, a.faces.length, b.faces.length);
    // A valid child of an invalid parent is a final cluster.
    if (!valid) for (const child of [a, b]) if (child.valid) finalClusters.push(child.faces);
    tops.delete(a); tops.delete(b);
    tops.add({ faces: [...a.faces, ...b.faces], valid });
  }
  for (const node of tops) if (node.valid) finalClusters.push(node.faces);
  const root = Int32Array.from({ length: tree.n }, (_, f) => f);
  for (const faces of finalClusters) { const min = Math.min(...faces); for (const f of faces) root[f] = min; }
  return root;
}

describe('cautious cut (small-cluster caution)', () => {
  it('equals the maximal valid subtrees of the merge tree, on random and synthetic faces', () => {
    for (const [seed, caution] of [[1, 0.8], [2, 0.6], [3, 0.9]] as const) {
      const faces = synthesizeFaces({ faces: 300, seed });
      const result = clusterFaces({ vectors: faces.vectors, dim: 128, threshold: 1.0, treeMaxThreshold: 1.4, photoIds: faces.photoIds });
      for (const threshold of [0.8, 1.0, 1.4]) {
        assert.deepEqual(partitionAt(result.tree, threshold, caution), maximalValidSubtrees(result.tree, threshold, caution), `seed ${seed}, threshold ${threshold}, caution ${caution}`);
      }
    }
  });

  it('caution 1 is the plain cut; a lower caution only splits clusters, and mostly the small ones', () => {
    const faces = synthesizeFaces({ faces: 600, seed: 9 });
    const result = clusterFaces({ vectors: faces.vectors, dim: 128, threshold: 1.0, treeMaxThreshold: 1.0 });
    assert.deepEqual(partitionAt(result.tree, 1.0, 1), partitionAt(result.tree, 1.0));
    const plain = partitionAt(result.tree, 1.0), cautious = partitionAt(result.tree, 1.0, 0.7);
    // Every cautious cluster lies inside one plain cluster.
    const plainOf = new Map<number, number>();
    cautious.forEach((root, f) => {
      const seen = plainOf.get(root);
      if (seen === undefined) plainOf.set(root, plain[f]!);
      else assert.equal(seen, plain[f], `face ${f}`);
    });
    assert.ok(new Set(cautious).size > new Set(plain).size, 'caution 0.7 refuses some merges at this threshold');
  });

  it('with caution the clustering result is the cautious cut of its own tree, and the limit follows the sizes', () => {
    const faces = synthesizeFaces({ faces: 500, seed: 5 });
    const result = clusterFaces({ vectors: faces.vectors, dim: 128, threshold: 1.0, caution: 0.8, treeMaxThreshold: 1.2, minClusterSize: 1 });
    assert.deepEqual(cutTree(result.tree, 1.0, 1, 0.8).labels, result.labels);
    assert.equal(mergeLimit(0.13, 0.8, 1, 1), 0.13 * 0.8);
    assert.ok(Math.abs(mergeLimit(0.13, 0.8, 4, 25) - 0.13 * (1 - 0.2 / 10)) < 1e-12);
    assert.equal(mergeLimit(0.13, 1, 1, 1), 0.13);
    assert.throws(() => clusterFaces({ vectors: faces.vectors, dim: 128, threshold: 1.0, caution: 0 }), ClusterInputError);
  });
});
