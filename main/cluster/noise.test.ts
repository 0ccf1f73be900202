import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../core/random.ts';
import { normalizeRow, randomUnitVectors } from './syntheticFaces.ts';
import { clusterFaces } from './clusterFaces.ts';

/** `size` faces around each of the given centres (squared distances ~0.2 apart). */
function around(centres: Float32Array, dim: number, sizes: number[], seed: number): Float32Array {
  const random = new Random(seed);
  const n = sizes.reduce((a, b) => a + b, 0);
  const out = new Float32Array(n * dim);
  let face = 0;
  sizes.forEach((size, c) => {
    for (let s = 0; s < size; s++, face++) {
      for (let d = 0; d < dim; d++) out[face * dim + d] = centres[c * dim + d] + 0.08 * random.gaussian();
      normalizeRow(out, face, dim);
    }
  });
  return out;
}

describe('noise guard', () => {
  const dim = 32;
  const centres = randomUnitVectors(4, dim, 77);
  const vectors = around(centres, dim, [10, 4, 2, 1], 5); // faces 0-9, 10-13, 14-15, 16

  it('clusters smaller than minClusterSize are not offered; their faces stay, labelled -1', () => {
    const three = clusterFaces({ vectors, dim, threshold: 0.8 });
    assert.equal(three.labels.length, 17);
    assert.deepEqual(three.clusters.map((c) => c.size), [10, 4]);
    assert.deepEqual([...three.labels.subarray(14)], [-1, -1, -1]);
    const one = clusterFaces({ vectors, dim, threshold: 0.8, minClusterSize: 1 });
    assert.deepEqual(one.clusters.map((c) => c.size), [10, 4, 2, 1]);
  });

  it('low-quality faces wait, then join the nearest offered cluster within the threshold', () => {
    const exclude = new Uint8Array(17);
    exclude[3] = 1; // belongs to the 10-face cluster
    exclude[16] = 1; // alone: stays noise
    exclude[10] = exclude[11] = exclude[12] = 1; // 4-face cluster loses 3: only 1 left, not offered
    const result = clusterFaces({ vectors, dim, threshold: 0.8, exclude });
    assert.equal(result.labels[3], result.labels[0]);
    assert.equal(result.clusters[result.labels[0]].size, 10);
    assert.equal(result.labels[16], -1);
    assert.equal(result.labels[10], -1, 'no offered cluster near: stays noise');
    assert.equal(result.tree.excluded?.[3], 1);
  });

  it('two waiting faces of one photo never join the same cluster', () => {
    const exclude = new Uint8Array(17);
    exclude[1] = exclude[2] = 1;
    const photoIds = Int32Array.from({ length: 17 }, (_, i) => (i === 1 || i === 2 ? 100 : i));
    const result = clusterFaces({ vectors, dim, threshold: 0.8, exclude, photoIds });
    const joined = [result.labels[1], result.labels[2]].filter((l) => l === result.labels[0]);
    assert.equal(joined.length, 1);
  });

  it('faces the user grouped take part whatever their quality', () => {
    const exclude = new Uint8Array(17).fill(1);
    const result = clusterFaces({ vectors, dim, threshold: 0.8, exclude, namedGroups: [[0, 1, 2]] });
    assert.ok(result.labels[0] >= 0);
    assert.equal(result.tree.excluded?.[0], 0);
  });
});
