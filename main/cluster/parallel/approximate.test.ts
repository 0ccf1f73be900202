import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bcubedScores } from '../../metrics/clusterMetrics.ts';
import { synthesizeFaces } from '../syntheticFaces.ts';
import { clusterFaces } from '../clusterFaces.ts';
import { clusterFacesParallel } from './clusterFacesParallel.ts';

describe('approximate path', () => {
  // 5,000 faces: ~420 identities from 1,000 faces down to 1 (Zipf), 10% relatives, photos of 1-4.
  const faces = synthesizeFaces({ faces: 5000, seed: 2024 });
  const input = { vectors: faces.vectors, dim: 128, threshold: 1.0, photoIds: faces.photoIds };
  const exact = clusterFaces({ ...input, mode: 'exact' });
  const approximate = clusterFaces({ ...input, mode: 'approximate' });

  it('says it approximated', () => {
    assert.equal(exact.approximate, false);
    assert.equal(exact.method, 'exact-graph');
    assert.equal(approximate.approximate, true);
    assert.equal(approximate.method, 'approximate-knn');
    assert.equal(approximate.tree.approximate, true);
    assert.ok(approximate.stats.sampledRecall! > 0.8, `recall ${approximate.stats.sampledRecall}`);
  });

  it('scores BCubed F >= 0.995 against the exact partition', () => {
    const score = bcubedScores(exact.labels, approximate.labels);
    assert.ok(score.f1 >= 0.995, `BCubed F ${score.f1}`);
  });

  it('with varied spreads and no relatives too (another seed)', () => {
    const other = synthesizeFaces({ faces: 3000, seed: 7, relatives: 0, spread: [0.3, 0.8], sizeExponent: 1.3 });
    const common = { vectors: other.vectors, dim: 128, threshold: 1.0, photoIds: other.photoIds };
    const score = bcubedScores(clusterFaces({ ...common, mode: 'exact' }).labels, clusterFaces({ ...common, mode: 'approximate' }).labels);
    assert.ok(score.f1 >= 0.995, `BCubed F ${score.f1}`);
  });
});

describe('worker threads', () => {
  const faces = synthesizeFaces({ faces: 1500, seed: 99 });
  const input = { vectors: faces.vectors, dim: 128, threshold: 1.0, photoIds: faces.photoIds };

  it('give the same result as the calling thread, exact and approximate', async () => {
    for (const mode of ['exact', 'approximate'] as const) {
      const alone = clusterFaces({ ...input, mode });
      const shared = await clusterFacesParallel({ ...input, mode }, { threads: 2 });
      assert.deepEqual(shared.labels, alone.labels, mode);
      assert.deepEqual(shared.tree.height, alone.tree.height, mode);
    }
  });

  it('single linkage on workers equals the calling thread (edge order differs)', async () => {
    const alone = clusterFaces({ ...input, linkage: 'single', threshold: 0.8 });
    const shared = await clusterFacesParallel({ ...input, linkage: 'single', threshold: 0.8 }, { threads: 2 });
    assert.deepEqual(shared.labels, alone.labels);
  });
});
