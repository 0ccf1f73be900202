import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotFoundError } from './errors/index.ts';
import { addFaces, createTestStore } from './testing.ts';

test('a run records its parameters, clusters, sizes and outcome', () => {
  const store = createTestStore();
  const [a, b, c] = addFaces(store, 3) as [number, number, number];
  const run = store.clusters.startRun({ modelId: 'facenet', threshold: 0.7, linkage: 'average' }, 100);
  assert.equal(run.status, 'running');
  const ids = store.clusters.addClusters(run.id, ['p1', 'p2']);
  store.assignments.setAuto([
    { faceId: a, personId: null, clusterId: ids.get('p1')! },
    { faceId: b, personId: null, clusterId: ids.get('p1')! },
    { faceId: c, personId: null, clusterId: ids.get('p2')! },
  ]);
  assert.equal(store.clusters.latestDoneRun('facenet'), undefined);
  const done = store.clusters.finishRun(run.id, 'done', null, 200);
  assert.deepEqual(done, { ...run, status: 'done', finishedAt: 200 });
  assert.equal(store.clusters.finishRun(run.id, 'failed', 'late').status, 'done'); // an ended run stays ended
  assert.deepEqual(store.clusters.latestDoneRun('facenet'), done);
  assert.deepEqual(store.clusters.listClusters(run.id).map((x) => [x.label, x.size]), [['p1', 2], ['p2', 1]]);
  assert.throws(() => store.clusters.finishRun(999, 'done'), NotFoundError);
});
