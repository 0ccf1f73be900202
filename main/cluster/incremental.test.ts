import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { synthesizeFaces } from './syntheticFaces.ts';
import { clusterFaces } from './clusterFaces.ts';
import { assignIncremental, clusterSums, type ExistingCluster } from './incremental.ts';

describe('assignIncremental', () => {
  const dim = 128;
  const faces = synthesizeFaces({ faces: 1500, seed: 31, identities: 60, sizeExponent: 0.5, relatives: 0 });
  // The first 1,200 faces were clustered earlier; 300 arrive now.
  const old = 1200;
  const first = clusterFaces({ vectors: faces.vectors.subarray(0, old * dim), dim, threshold: 1.0 });
  const { sums, counts } = clusterSums(faces.vectors.subarray(0, old * dim), dim, first.labels);
  const existing: ExistingCluster[] = first.clusters.map((c) => ({
    sum: sums.subarray(c.label * dim, (c.label + 1) * dim),
    count: counts[c.label],
    photoIds: Array.from(c.members, (f) => faces.photoIds[f]),
  }));
  const fresh = faces.vectors.subarray(old * dim);
  const identityOfCluster = first.clusters.map((c) => faces.identity[c.members[0]]);

  it('new faces of known people join their cluster; unknown people form new clusters', () => {
    const result = assignIncremental({ existing, vectors: fresh, dim, threshold: 1.0 });
    let joinedRight = 0;
    let joinedWrong = 0;
    for (let f = 0; f < 300; f++) {
      const c = result.joined[f];
      if (c < 0) continue;
      if (identityOfCluster[c] === faces.identity[old + f]) joinedRight++;
      else joinedWrong++;
    }
    assert.equal(joinedWrong, 0);
    assert.ok(joinedRight > 250, `${joinedRight} joined`);
    for (const cluster of result.newClusters) {
      const ids = new Set(Array.from(cluster.members, (f) => faces.identity[old + f]));
      assert.equal(ids.size, 1, 'a new cluster holds one identity');
      for (const f of cluster.members) assert.equal(result.joined[f], -1);
    }
    result.labels.forEach((label, f) => {
      if (result.joined[f] >= 0) assert.equal(label, result.joined[f]);
    });
  });

  it('a face never joins a cluster holding a face of its photo, nor one it was rejected from', () => {
    const base = assignIncremental({ existing, vectors: fresh, dim, threshold: 1.0 });
    const face = base.joined.findIndex((c) => c >= 0);
    const cluster = base.joined[face];
    const photoIds = Int32Array.from({ length: 300 }, (_, f) => 1_000_000 + f);
    photoIds[face] = Number(existing[cluster].photoIds![0]);
    const byPhoto = assignIncremental({ existing, vectors: fresh, dim, threshold: 1.0, photoIds });
    assert.notEqual(byPhoto.joined[face], cluster);
    const byRejection = assignIncremental({ existing, vectors: fresh, dim, threshold: 1.0, rejections: [{ face, cluster }] });
    assert.notEqual(byRejection.joined[face], cluster);
  });

  it('two new faces of one photo never join the same cluster', () => {
    const base = assignIncremental({ existing, vectors: fresh, dim, threshold: 1.0 });
    const byCluster = new Map<number, number[]>();
    base.joined.forEach((c, f) => c >= 0 && byCluster.set(c, [...(byCluster.get(c) ?? []), f]));
    const [a, b] = [...byCluster.values()].find((fs) => fs.length >= 2)!;
    const photoIds = Int32Array.from({ length: 300 }, (_, f) => f);
    photoIds[b] = photoIds[a];
    const result = assignIncremental({ existing, vectors: fresh, dim, threshold: 1.0, photoIds });
    assert.ok(result.joined[a] !== result.joined[b] || result.joined[a] < 0);
  });
});
