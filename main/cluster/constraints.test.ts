import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomUnitVectors } from './syntheticFaces.ts';
import { synthesizeFaces } from './syntheticFaces.ts';
import { clusterFaces } from './clusterFaces.ts';
import { ClusterInputError, ClusterLimitError } from './errors.ts';
import type { ClusterInput, ClusterResult, Linkage } from './types.ts';

function assertPhotosApart(result: ClusterResult, photoIds: Int32Array): void {
  const seen = new Map<string, number>();
  result.labels.forEach((label, face) => {
    if (label < 0) return;
    const key = `${label}/${photoIds[face]}`;
    assert.equal(seen.get(key), undefined, `faces ${seen.get(key)} and ${face} of photo ${photoIds[face]} share cluster ${label}`);
    seen.set(key, face);
  });
}

/** Two copies of each vector: the copies are at distance 0 and would merge first. */
function duplicated(vectors: Float32Array, dim: number): Float32Array {
  const n = vectors.length / dim;
  const out = new Float32Array(2 * n * dim);
  out.set(vectors);
  out.set(vectors, n * dim);
  return out;
}

describe('cannot-link constraints', () => {
  const faces = synthesizeFaces({ faces: 1200, seed: 21 });
  for (const linkage of ['average', 'single', 'complete'] as Linkage[]) {
    it(`${linkage}: two faces of one photo never share a cluster`, () => {
      const result = clusterFaces({ vectors: faces.vectors, dim: 128, threshold: 1.0, linkage, photoIds: faces.photoIds, minClusterSize: 1 });
      assertPhotosApart(result, faces.photoIds);
    });
  }

  it('approximate path: two faces of one photo never share a cluster', () => {
    // Identical twins in one photo: without the constraint the copies would merge at distance 0.
    const dim = 128;
    const vectors = duplicated(faces.vectors, dim);
    const photoIds = Int32Array.from({ length: 2 * faces.n }, (_, i) => i % faces.n);
    const result = clusterFaces({ vectors, dim, threshold: 1.0, photoIds, mode: 'approximate', minClusterSize: 1 });
    assert.equal(result.approximate, true);
    assertPhotosApart(result, photoIds);
  });

  it('explicit pairs and rejections from a named person are refused', () => {
    const vectors = duplicated(randomUnitVectors(3, 8, 5), 8); // faces i and i + 3 identical
    const base: ClusterInput = { vectors, dim: 8, threshold: 0.5, minClusterSize: 1 };
    const free = clusterFaces(base);
    assert.equal(free.labels[0], free.labels[3]);
    const paired = clusterFaces({ ...base, cannotLink: [[0, 3]] });
    assert.notEqual(paired.labels[0], paired.labels[3]);
    const rejected = clusterFaces({ ...base, namedGroups: [[1]], rejections: [{ face: 4, person: 0 }] });
    assert.notEqual(rejected.labels[1], rejected.labels[4]);
  });
});

describe('must-link groups and named persons', () => {
  const dim = 16;
  const vectors = randomUnitVectors(60, dim, 9); // random: nothing within 0.3 of anything

  it('a must-link group is one cluster however far apart its faces are', () => {
    const result = clusterFaces({ vectors, dim, threshold: 0.3, minClusterSize: 1, mustLinkGroups: [[3, 17, 42]] });
    assert.equal(result.labels[3], result.labels[17]);
    assert.equal(result.labels[17], result.labels[42]);
    assert.equal(result.clusters[result.labels[3]].size, 3);
  });

  it('named persons are kept below minClusterSize, never split, never merged with each other', () => {
    const twins = duplicated(vectors, dim); // face i and i + 60 identical
    const result = clusterFaces({
      vectors: twins,
      dim,
      threshold: 0.3,
      minClusterSize: 3,
      namedGroups: [[5], [65], [7, 30], [8]],
    });
    const [a, b, c] = [result.labels[5], result.labels[65], result.labels[7]];
    assert.ok(a >= 0 && b >= 0 && c >= 0, 'named persons are offered even when small');
    assert.notEqual(a, b, 'two persons never merge, even at distance 0');
    assert.equal(result.labels[30], c);
    assert.equal(result.clusters[a].person, 0);
    assert.equal(result.clusters[b].person, 1);
    assert.equal(result.clusters[c].person, 2);
    // Face 8's twin (68) joins person 3: named clusters still grow.
    assert.equal(result.labels[68], result.labels[8]);
    assert.equal(result.clusters[result.labels[8]].size, 2);
  });

  it('a cannot-link inside a must-link group is overridden and reported', () => {
    const result = clusterFaces({ vectors, dim, threshold: 0.3, minClusterSize: 1, mustLinkGroups: [[1, 2]], cannotLink: [[2, 1]] });
    assert.equal(result.labels[1], result.labels[2]);
    assert.deepEqual(result.overriddenCannotLinks, [[1, 2]]);
  });

  it('a group joining two named persons is an input error', () => {
    assert.throws(
      () => clusterFaces({ vectors, dim, threshold: 0.3, namedGroups: [[1], [2]], mustLinkGroups: [[1, 2]] }),
      (error: unknown) => error instanceof ClusterInputError && error.field === 'mustLinkGroups',
    );
  });
});

describe('input checks and limits', () => {
  const dim = 8;
  const vectors = randomUnitVectors(20, dim, 3);

  it('refuses rows that are not unit length', () => {
    const bad = Float32Array.from(vectors);
    bad[dim * 4] += 0.5;
    assert.throws(() => clusterFaces({ vectors: bad, dim, threshold: 1 }), (e: unknown) => e instanceof ClusterInputError && e.field === 'vectors');
  });

  it('refuses face indices out of range', () => {
    assert.throws(() => clusterFaces({ vectors, dim, threshold: 1, cannotLink: [[0, 20]] }), ClusterInputError);
  });

  it('complete linkage does not run approximately', () => {
    assert.throws(() => clusterFaces({ vectors, dim, threshold: 1, linkage: 'complete', mode: 'approximate' }), ClusterLimitError);
  });

  it('a graph over budget falls back to the dense chain (average) or fails (single)', () => {
    const dense = clusterFaces({ vectors, dim, threshold: 1.5, maxGraphEdges: 3, minClusterSize: 1 });
    const graph = clusterFaces({ vectors, dim, threshold: 1.5, minClusterSize: 1 });
    assert.equal(dense.method, 'exact-dense');
    assert.equal(graph.method, 'exact-graph');
    assert.deepEqual(dense.labels, graph.labels);
    assert.throws(() => clusterFaces({ vectors, dim, threshold: 1.5, linkage: 'single', maxGraphEdges: 3 }), ClusterLimitError);
  });
});
