import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { synthesizeFaces } from './syntheticFaces.ts';
import { clusterFaces } from './clusterFaces.ts';
import { prepareConstraints } from './constraints.ts';
import { referenceAgglomerative } from './reference.ts';
import { canonicalPartition, groupedPoints, mergeKey, mergeList, tiedPoints } from './testHelpers.ts';
import type { ClusterInput, Linkage } from './types.ts';

const LINKAGES: Linkage[] = ['average', 'single', 'complete'];

/** Runs clusterFaces (exact) and the brute-force reference; asserts identical partitions and merges. */
function assertMatchesReference(input: ClusterInput, label: string): void {
  const n = input.n ?? input.vectors.length / input.dim;
  const result = clusterFaces({ ...input, minClusterSize: 1, mode: 'exact' });
  const constraints = prepareConstraints({ ...input, n });
  const reference = referenceAgglomerative(
    input.vectors,
    n,
    input.dim,
    input.threshold,
    input.linkage ?? 'average',
    constraints,
  );
  assert.deepEqual(canonicalPartition(result.labels), reference.root, `${label}: partition`);
  const expected = reference.merges.map((m) => mergeKey(m.a, m.b, m.height)).sort();
  assert.deepEqual(mergeList(result.tree), expected, `${label}: merges`);
}

describe('clusterFaces exact path equals the brute-force reference', () => {
  for (const linkage of LINKAGES) {
    it(`${linkage}: random grouped points, several seeds, sizes and thresholds`, () => {
      for (const [seed, n, dim, threshold] of [
        [1, 60, 3, 0.3],
        [2, 150, 5, 0.8],
        [3, 250, 8, 1.2],
        [4, 300, 16, 1.0],
        [5, 200, 4, 2.5],
      ]) {
        const vectors = groupedPoints(n, dim, seed);
        assertMatchesReference({ vectors, dim, threshold, linkage }, `seed ${seed}`);
      }
    });

    it(`${linkage}: exact ties (16 distinct points) break the same way`, () => {
      for (const seed of [1, 2, 3]) {
        const vectors = tiedPoints(120, seed);
        for (const threshold of [0.5, 1.0, 2.0, 3.0]) {
          assertMatchesReference({ vectors, dim: 4, threshold, linkage }, `seed ${seed} t ${threshold}`);
        }
      }
    });

    it(`${linkage}: with photo cannot-links, must-link and named groups`, () => {
      for (const seed of [7, 8, 9]) {
        const n = 200;
        const vectors = groupedPoints(n, 6, seed, 5, 0.5);
        const photoIds = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 3));
        assertMatchesReference(
          {
            vectors,
            dim: 6,
            threshold: 1.4,
            linkage,
            photoIds,
            cannotLink: [[10, 20], [11, 50], [12, 100]],
            mustLinkGroups: [[5, 40, 77], [90, 150]],
            namedGroups: [[1, 30], [2, 60, 61]],
            rejections: [{ face: 33, person: 0 }],
          },
          `seed ${seed}`,
        );
      }
    });
  }

  it('average linkage on realistic synthetic faces (1,000 faces, 128-D)', () => {
    const faces = synthesizeFaces({ faces: 1000, seed: 11 });
    assertMatchesReference({ vectors: faces.vectors, dim: 128, threshold: 1.0, photoIds: faces.photoIds }, 'synthetic');
  });
});
