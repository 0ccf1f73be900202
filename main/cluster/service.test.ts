/**
 * The clustering service on a real SQLite store: user decisions are constraints that survive full
 * re-runs and incremental runs, and two faces of one photo never share a person.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestStore, faceInput } from '../store/testing.ts';
import type { Store } from '../store/index.ts';
import { synthesizeFaces } from '../eval/syntheticFaces.ts';
import { mergeTargets, nameTarget, rejectFace, resolveTarget } from './decisions.ts';
import { clusterLibrary, previewThreshold } from './service.ts';

const MODEL = 'synthetic';

interface Library {
  store: Store;
  faceIdsOf: number[][]; // by true identity
  add(identity: number, count: number): number[];
}

/** 6 well-separated identities of 8 faces; identity 0's first two faces share one photo. */
function library(): Library {
  const store = createTestStore();
  const root = store.roots.add('/photos');
  const synthetic = synthesizeFaces({ faces: 96, identities: 12, sizeExponent: 0, relatives: 0, spread: [0.3, 0.45], seed: 7 });
  const pools = new Map<number, number[]>();
  for (let i = 0; i < synthetic.n; i++) {
    const id = synthetic.identity[i]!;
    if (!pools.has(id)) pools.set(id, []);
    pools.get(id)!.push(i);
  }
  const faceIdsOf: number[][] = [];
  let photoCounter = 0;
  const insert = (identity: number, rows: number[], sharedPhoto = false): number[] => {
    const ids: number[] = [];
    let photoId = -1;
    for (const row of rows) {
      if (!sharedPhoto || photoId < 0) {
        photoId = store.photos.upsert({ rootId: root.id, path: `/photos/p${photoCounter++}.jpg`, size: 1, mtimeMs: 1, contentHash: `h${photoCounter}` }).id;
      }
      const [id] = store.faces.insertDetected(photoId, 'test', [faceInput({ box: { x: ids.length * 200, y: 0, width: 100, height: 100 } })]);
      store.embeddings.put(id!, MODEL, synthetic.vectors.subarray(row * synthetic.dim, (row + 1) * synthetic.dim));
      ids.push(id!);
      (faceIdsOf[identity] ??= []).push(id!);
    }
    return ids;
  };
  for (let identity = 0; identity < 6; identity++) {
    const rows = pools.get(identity)!.slice(0, 8);
    if (identity === 0) {
      insert(0, rows.slice(0, 2), true); // two faces of one person in one photo: impossible in reality, a test of the rule
      insert(0, rows.slice(2));
    } else {
      insert(identity, rows);
    }
  }
  const used = new Map<number, number>();
  return {
    store,
    faceIdsOf,
    add: (identity, count) => {
      const start = used.get(identity) ?? 8;
      used.set(identity, start + count);
      return insert(identity, pools.get(identity)!.slice(start, start + count));
    },
  };
}

const facesById = (store: Store) => new Map(store.faces.list().map((face) => [face.id, face]));

test('clusters recover the identities; two faces of one photo never share a cluster', () => {
  const { store, faceIdsOf } = library();
  const report = clusterLibrary(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  assert.equal(report.faces, 48);
  const faces = facesById(store);
  for (let identity = 1; identity < 6; identity++) {
    const labels = new Set(faceIdsOf[identity]!.map((id) => faces.get(id)!.clusterLabel));
    assert.equal(labels.size, 1, `identity ${identity} is one cluster`);
  }
  const [a, b] = faceIdsOf[0]!;
  const la = faces.get(a!)!.clusterLabel, lb = faces.get(b!)!.clusterLabel;
  assert.ok(la === null || lb === null || la !== lb, 'faces of one photo are in different clusters');
  const again = clusterLibrary(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  const facesAgain = facesById(store);
  for (const [id, face] of faces) assert.equal(facesAgain.get(id)!.clusterLabel, face.clusterLabel, 'labels are stable across runs');
  assert.equal(again.clusters, report.clusters);
});

test('names, rejections and merges survive a full re-run, even at a threshold that would merge everyone', () => {
  const { store, faceIdsOf } = library();
  clusterLibrary(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  let faces = facesById(store);
  const label = (identity: number) => faces.get(faceIdsOf[identity]![0]!)!.clusterLabel!;
  const ann = nameTarget(store, resolveTarget(store, label(1)), 'Ann');
  const bob = nameTarget(store, resolveTarget(store, label(2)), 'Bob');
  const merged = mergeTargets(store, resolveTarget(store, label(3)), resolveTarget(store, label(4)));
  const rejected = faceIdsOf[1]![3]!;
  rejectFace(store, rejected, resolveTarget(store, 'Ann'));

  for (const threshold of [1.0, 3.5]) {
    clusterLibrary(store, { modelId: MODEL, threshold, minClusterSize: 2 });
    faces = facesById(store);
    for (const id of faceIdsOf[1]!) {
      if (id === rejected) assert.notEqual(faces.get(id)!.personId, ann.id, 'a rejected face never returns');
      else assert.equal(faces.get(id)!.personName, 'Ann');
    }
    for (const id of faceIdsOf[2]!) assert.equal(faces.get(id)!.personName, 'Bob', 'named persons are never split or renamed');
    for (const id of [...faceIdsOf[3]!, ...faceIdsOf[4]!]) assert.equal(faces.get(id)!.personId, merged.id, 'merged clusters stay merged');
    assert.notEqual(ann.id, bob.id);
    assert.equal(store.persons.get(ann.id)!.name, 'Ann');
  }
});

test('an incremental run adds new faces to the person they belong to', () => {
  const lib = library();
  const { store, faceIdsOf } = lib;
  clusterLibrary(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  const faces = facesById(store);
  const ann = nameTarget(store, resolveTarget(store, faces.get(faceIdsOf[1]![0]!)!.clusterLabel!), 'Ann');
  const added = lib.add(1, 3);
  clusterLibrary(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  const after = facesById(store);
  for (const id of added) assert.equal(after.get(id)!.personId, ann.id);
  for (const id of faceIdsOf[1]!.slice(0, 8)) assert.equal(after.get(id)!.personName, 'Ann');
});

test('a threshold preview counts clusters from the kept tree', () => {
  const { store } = library();
  clusterLibrary(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  const tight = previewThreshold(store, 0.05, MODEL);
  const normal = previewThreshold(store, 1.0, MODEL);
  assert.equal(tight.clusters, 0);
  assert.ok(normal.clusters >= 6, `${normal.clusters} clusters at 1.0`);
});
