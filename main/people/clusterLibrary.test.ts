/**
 * The clustering service on a real SQLite store: user decisions are constraints that survive full
 * re-runs and incremental runs, and two faces of one photo never share a person.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestStore, faceInput } from '../store/testing.ts';
import type { Store } from '../store/index.ts';
import { synthesizeFaces } from '../cluster/syntheticFaces.ts';
import { mergeTargets, nameTarget, rejectFace, resolveTarget } from './decisions.ts';
import { clusterNewFaces } from './sortNewFaces.ts';
import { clusterLibrary, previewThreshold } from './clusterLibrary.ts';

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
  const synthetic = synthesizeFaces({ faces: 192, identities: 12, sizeExponent: 0, relatives: 0, spread: [0.3, 0.45], seed: 7 });
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
      const start = used.get(identity) ?? (identity < 6 ? 8 : 0);
      used.set(identity, start + count);
      const rows = pools.get(identity)!.slice(start, start + count);
      assert.equal(rows.length, count, `identity ${identity} has ${count} more synthetic faces`);
      return insert(identity, rows);
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
  assert.equal(added.length, 3);
  clusterLibrary(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  const after = facesById(store);
  for (const id of added) assert.equal(after.get(id)!.personId, ann.id);
  for (const id of faceIdsOf[1]!.slice(0, 8)) assert.equal(after.get(id)!.personName, 'Ann');
});

test('incremental: new faces join their named person and unnamed cluster; nothing else moves', () => {
  const lib = library();
  const { store, faceIdsOf } = lib;
  clusterLibrary(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  const before = facesById(store);
  const ann = nameTarget(store, resolveTarget(store, before.get(faceIdsOf[1]![0]!)!.clusterLabel!), 'Ann');
  const named = facesById(store);
  const toAnn = lib.add(1, 3);
  const toCluster = lib.add(2, 2);
  const report = clusterNewFaces(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  assert.equal(report.newFaces, 5);
  assert.equal(report.joinedPersons, 3);
  assert.equal(report.joinedClusters, 2);
  const after = facesById(store);
  for (const id of toAnn) assert.equal(after.get(id)!.personId, ann.id, 'a new face of Ann joins Ann');
  const bobsCluster = named.get(faceIdsOf[2]![0]!)!.clusterLabel;
  for (const id of toCluster) assert.equal(after.get(id)!.clusterLabel, bobsCluster, 'a new face joins the unnamed cluster of its person');
  for (const [id, face] of named) {
    assert.equal(after.get(id)!.clusterLabel, face.clusterLabel, `face ${id} kept its cluster`);
    assert.equal(after.get(id)!.personId, face.personId, `face ${id} kept its person`);
  }
  assert.equal(clusterNewFaces(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 }).newFaces, 0, 'a second run has nothing to do');
});

test('incremental: a rejected person is never joined, faces of one photo never share one, new people form clusters', () => {
  const lib = library();
  const { store, faceIdsOf } = lib;
  clusterLibrary(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  const faces = facesById(store);
  const ann = nameTarget(store, resolveTarget(store, faces.get(faceIdsOf[1]![0]!)!.clusterLabel!), 'Ann');
  const [rejected, accepted] = lib.add(1, 2);
  // The user says the first new face is not Ann before any clustering saw it.
  rejectFace(store, rejected!, resolveTarget(store, 'Ann'));
  const strangers = lib.add(7, 3); // an identity never seen before
  const report = clusterNewFaces(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  const after = facesById(store);
  assert.notEqual(after.get(rejected!)!.personId, ann.id, 'the rejected face stays out of Ann');
  assert.equal(after.get(accepted!)!.personId, ann.id);
  const strangerLabels = new Set(strangers.map((id) => after.get(id)!.clusterLabel));
  assert.equal(strangerLabels.size, 1, 'a new person forms one new cluster');
  const label = [...strangerLabels][0]!;
  assert.ok(label !== null && ![...faces.values()].some((face) => face.clusterLabel === label), 'with a fresh label');
  assert.ok(report.newClusters >= 1);
  // A full re-run afterwards keeps the rejection.
  clusterLibrary(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  assert.notEqual(facesById(store).get(rejected!)!.personId, ann.id);
});

test('incremental: two faces of one new photo never join the same person', () => {
  const lib = library();
  const { store, faceIdsOf } = lib;
  clusterLibrary(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  const ann = nameTarget(store, resolveTarget(store, facesById(store).get(faceIdsOf[1]![0]!)!.clusterLabel!), 'Ann');
  // A photo that already holds an Ann face gets a second Ann-like face: it may not join Ann.
  const annPhoto = facesById(store).get(faceIdsOf[1]![0]!)!.photoId;
  const [row] = lib.add(1, 1);
  const twin = store.faces.insertDetected(annPhoto, 'test', [faceInput({ box: { x: 900, y: 0, width: 100, height: 100 } })])[0]!;
  store.embeddings.put(twin, MODEL, store.embeddings.get(row!, MODEL)!);
  clusterNewFaces(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  const after = facesById(store);
  assert.equal(after.get(row!)!.personId, ann.id);
  assert.notEqual(after.get(twin)!.personId, ann.id, 'a photo never holds two faces of one person');
});

test('a threshold preview counts clusters from the kept tree', () => {
  const { store } = library();
  clusterLibrary(store, { modelId: MODEL, threshold: 1.0, minClusterSize: 2 });
  const tight = previewThreshold(store, 0.05, MODEL);
  const normal = previewThreshold(store, 1.0, MODEL);
  assert.equal(tight.clusters, 0);
  assert.ok(normal.clusters >= 6, `${normal.clusters} clusters at 1.0`);
});
