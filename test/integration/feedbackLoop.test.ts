/**
 * The feedback loop's invariants (issue #12), as properties over random decision sequences on real LFW embeddings:
 * - rejecting face f from person P changes where f goes and nothing else: after re-clustering, every other face
 *   ends where it ends in the same library without f;
 * - naming, confirming, moving and assigning never move a face the user did not touch out of a named person;
 * - new faces that match P still join P after any number of rejections from P (a rejected face never anchors a
 *   group that takes them);
 * - two faces of one photo never share a person; a rejected face never returns to P.
 * And the measured failure itself: an edited copy of a photo rejected from its person must not stop that
 * person's new faces from joining them.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import Database from 'better-sqlite3';
import { createRng, type Rng } from '../../main/core/random.ts';
import { mergeLimit } from '../../main/cluster/tree.ts';
import { clusterLibrary, resolveClusterSettings } from '../../main/people/clusterLibrary.ts';
import { assignFaces, moveFaces, nameTarget, rejectFaces } from '../../main/people/decisions.ts';
import { reviewQueue } from '../../main/people/reviewQueue.ts';
import { sortNewFacesAfterScan } from '../../main/people/sortNewFaces.ts';
import { createStore, type Store } from '../../main/store/index.ts';
import { DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import { chooseLfwImages, embedLfwFaces, libraryStore, type LfwFace } from '../fixtures/lfwLibrary.ts';
import { LFW_DIR, LFW_SKIP } from './lfwData.ts';

const SEQUENCES = Number(process.env.FACET_TEST_SEQUENCES ?? 200);
const MODEL = DEFAULT_EMBEDDER;

function clone(store: Store): Store {
  const db = new Database(store.db.serialize());
  db.pragma('foreign_keys = ON');
  return createStore(db);
}

interface World {
  store: Store;
  truth: Map<number, string>;
  photoOf: Map<number, number>;
  newFaces: Map<string, LfwFace[]>;
}

/** face -> person id, for every face some person holds. */
function owners(store: Store): Map<number, number> {
  return new Map(store.faces.list().flatMap((face) => (face.personId !== null ? [[face.id, face.personId] as const] : [])));
}

/** The partition into clusters and persons, as sets of co-members, over `faceIds`. */
function groupsOf(store: Store, faceIds: readonly number[]): Map<number, string> {
  const wanted = new Set(faceIds);
  const key = new Map<number, string>();
  for (const face of store.faces.list()) {
    if (!wanted.has(face.id)) continue;
    key.set(face.id, face.personId !== null ? `p${face.personId}` : face.clusterId !== null ? `c${face.clusterId}` : `alone${face.id}`);
  }
  return key;
}

/** Two maps of face -> group name describe the same partition. */
function samePartition(a: Map<number, string>, b: Map<number, string>): boolean {
  const pairs = new Map<string, string>();
  for (const [face, group] of a) {
    const other = b.get(face);
    if (other === undefined) return false;
    const seen = pairs.get(group);
    if (seen !== undefined && seen !== other) return false;
    pairs.set(group, other);
  }
  return new Set(pairs.values()).size === pairs.size;
}

function checkAlways(world: World, step: string): void {
  const { store } = world;
  const byPhotoPerson = new Set<string>();
  for (const face of store.faces.list()) {
    if (face.personId === null) continue;
    const key = `${face.photoId}:${face.personId}`;
    assert.ok(!byPhotoPerson.has(key), `${step}: two faces of photo ${face.photoId} share person ${face.personId}`);
    byPhotoPerson.add(key);
  }
  const held = owners(store);
  for (const c of store.constraints.listAll()) {
    if (c.kind === 'not') assert.notEqual(held.get(c.faceId), c.personId, `${step}: face ${c.faceId} returned to person ${c.personId} it was rejected from`);
  }
}

function namedPersons(store: Store): Array<{ id: number; name: string; faces: number[] }> {
  const held = owners(store);
  return store.persons.list().filter((p) => p.name !== null).map((p) => ({
    id: p.id, name: p.name!, faces: [...held].filter(([, personId]) => personId === p.id).map(([faceId]) => faceId),
  }));
}

/** Untouched faces that were in a named person are still in it. */
function checkUntouchedStay(before: Map<number, number>, after: Map<number, number>, touched: readonly number[], step: string): void {
  const skip = new Set(touched);
  for (const [faceId, personId] of before) {
    if (!skip.has(faceId)) assert.equal(after.get(faceId), personId, `${step}: face ${faceId}, untouched, left person ${personId}`);
  }
}

let counts = { rejections: 0, decisions: 0, newFaces: 0, joinedTheirPerson: 0 };

function randomStep(world: World, rng: Rng, step: string): void {
  const { store, truth } = world;
  const named = namedPersons(store);
  const action = rng.int(7);
  const beforeNamed = owners(store);
  if (action === 0 || named.length === 0) {
    // Name an unnamed cluster after the person most of its faces are.
    const clusters = new Map<number, number[]>();
    for (const face of store.faces.list()) if (face.personId === null && face.clusterId !== null && face.assignedBy !== 'user') (clusters.get(face.clusterId) ?? clusters.set(face.clusterId, []).get(face.clusterId)!).push(face.id);
    const list = [...clusters.values()];
    if (list.length === 0) return;
    const faceIds = list[rng.int(list.length)]!;
    const votes = new Map<string, number>();
    for (const f of faceIds) votes.set(truth.get(f)!, (votes.get(truth.get(f)!) ?? 0) + 1);
    const name = [...votes].sort((a, b) => b[1] - a[1])[0]![0];
    // A face of the cluster may carry a "not" for that person: the app then asks, and this user goes ahead.
    nameTarget(store, { kind: 'cluster', clusterId: -1, label: 'test', faceIds }, name, { dropContradictedNotConstraints: true });
    checkUntouchedStay(beforeNamed, owners(store), faceIds, `${step} name`);
  } else if (action === 1) {
    // "Not this person" on one of P's faces (a wrong one when there is one), then find people again:
    // everything but f must end as in the library without f.
    const person = named[rng.int(named.length)]!;
    if (person.faces.length < 2) return;
    const wrong = person.faces.filter((f) => truth.get(f) !== person.name);
    const f = wrong.length > 0 && rng.next() < 0.7 ? wrong[rng.int(wrong.length)]! : person.faces[rng.int(person.faces.length)]!;
    if (rng.next() < 0.4) {
      // Said in the Person view, and new photos arrive before anyone presses "Find people".
      rejectFaces(store, [f], person.id);
      counts.rejections++;
      return;
    }
    const without = clone(store);
    without.db.prepare('DELETE FROM embeddings WHERE face_id = ?').run(f);
    rejectFaces(store, [f], person.id);
    clusterLibrary(store, { modelId: MODEL });
    clusterLibrary(without, { modelId: MODEL });
    const others = store.embeddings.listVectors(MODEL).faceIds.filter((id) => id !== f);
    const withF = groupsOf(store, [...others]), withoutF = groupsOf(without, [...others]);
    for (const id of others) {
      assert.equal(store.assignments.get(id)?.personId ?? null, without.assignments.get(id)?.personId ?? null, `${step} reject ${f}: face ${id} changed person`);
    }
    assert.ok(samePartition(withF, withoutF), `${step} reject ${f}: the other faces' clusters changed`);
    without.close();
    counts.rejections++;
  } else if (action === 2) {
    // Answer the review queue's first question from the truth.
    const [question] = reviewQueue(store, { limit: 1, modelId: MODEL }).questions;
    if (!question) return;
    const yes = question.faceIds.filter((f) => truth.get(f) === question.personName);
    const no = question.faceIds.filter((f) => truth.get(f) !== question.personName);
    if (yes.length > 0) moveFaces(store, yes, question.personId, 'confirm');
    if (no.length > 0) rejectFaces(store, no, question.personId);
    checkUntouchedStay(beforeNamed, owners(store), question.faceIds, `${step} confirm`);
  } else if (action === 3) {
    // Move a face to the named person it truly is.
    const faces = store.faces.list().filter((face) => named.some((p) => p.name === truth.get(face.id) && p.id !== face.personId));
    if (faces.length === 0) return;
    const face = faces[rng.int(faces.length)]!;
    const target = named.find((p) => p.name === truth.get(face.id))!;
    const photoTaken = store.faces.listByPhoto(face.photoId).some((other) => other.id !== face.id && store.assignments.get(other.id)?.personId === target.id);
    if (photoTaken) return;
    moveFaces(store, [face.id], target.id);
    checkUntouchedStay(beforeNamed, owners(store), [face.id], `${step} move`);
  } else if (action === 4) {
    // Assign an unsorted face by its true name.
    const faces = store.faces.list().filter((face) => face.personId === null && face.assignedBy !== 'user');
    if (faces.length === 0) return;
    const face = faces[rng.int(faces.length)]!;
    const holder = store.persons.findByName(truth.get(face.id)!);
    if (holder && store.faces.listByPhoto(face.photoId).some((other) => store.assignments.get(other.id)?.personId === holder.id)) return;
    assignFaces(store, [face.id], truth.get(face.id)!);
    checkUntouchedStay(beforeNamed, owners(store), [face.id], `${step} assign`);
  } else if (action === 5) {
    clusterLibrary(store, { modelId: MODEL }); // "Find people"
  } else {
    addNewFaces(world, rng, step);
  }
  counts.decisions++;
}

/** New photos of a named person arrive; those that match the person must join them (or a nearer real group). */
function addNewFaces(world: World, rng: Rng, step: string): void {
  const { store } = world;
  const named = namedPersons(store).filter((p) => (world.newFaces.get(p.name)?.length ?? 0) > 0 && p.faces.length > 0);
  if (named.length === 0) return;
  const person = named[rng.int(named.length)]!;
  const arriving = world.newFaces.get(person.name)!.splice(0, 1 + rng.int(2));
  const { faces } = libraryStore(arriving, { store, modelId: MODEL, prefix: `new${counts.newFaces}-` });
  for (const face of faces) {
    world.truth.set(face.faceId, face.person);
    world.photoOf.set(face.faceId, face.photoId);
  }
  const settings = resolveClusterSettings(store, { modelId: MODEL });
  const { faceIds, vectors, dimensions: dim } = store.embeddings.listVectors(MODEL);
  const row = new Map(Array.from(faceIds, (id, i) => [id, i] as const));
  const mean = (face: number, members: number[]) => members.reduce((sum, m) => {
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += vectors[row.get(face)! * dim + d]! * vectors[row.get(m)! * dim + d]!;
    return sum + (2 - 2 * dot);
  }, 0) / members.length;
  const personFaces = person.faces.filter((f) => row.has(f));
  const rejected = new Set(store.constraints.listAll().flatMap((c) => (c.kind === 'not' ? [c.faceId] : [])));
  sortNewFacesAfterScan(store, MODEL);
  for (const face of faces) {
    counts.newFaces++;
    const distance = mean(face.faceId, personFaces);
    if (distance > mergeLimit(settings.threshold, settings.caution, 1, personFaces.length)) continue;
    const after = store.faces.list().find((f) => f.id === face.faceId)!;
    if (after.personId === person.id) {
      counts.joinedTheirPerson++;
      continue;
    }
    // It may join a nearer group, but one made of faces nobody rejected: a rejection never attracts.
    const members = store.faces.list().filter((f) => f.id !== face.faceId && (after.personId !== null ? f.personId === after.personId : after.clusterId !== null && f.clusterId === after.clusterId && f.personId === null));
    const real = members.map((f) => f.id).filter((id) => !rejected.has(id) && row.has(id));
    assert.ok(real.length > 0 && mean(face.faceId, real) < distance,
      `${step}: new face of ${person.name} (distance ${distance.toFixed(3)} to them) joined ${after.personId ?? `cluster ${after.clusterId}`} instead`);
  }
}

test('the feedback loop keeps its invariants over 200 random decision sequences on real LFW embeddings', { skip: LFW_SKIP }, async () => {
  const chosen = chooseLfwImages(LFW_DIR, { people: 10, minImages: 14, perPerson: 13, strangers: 25 });
  const all = await embedLfwFaces(chosen);
  // Per person: 9 faces in the library, the rest arrive later; strangers are all in the library.
  const byPerson = new Map<string, LfwFace[]>();
  for (const face of all) (byPerson.get(face.person) ?? byPerson.set(face.person, []).get(face.person)!).push(face);
  const library = [...byPerson.values()].flatMap((faces) => faces.slice(0, 9));
  const base = libraryStore(library, { groupEvery: 7, modelId: MODEL });
  clusterLibrary(base.store, { modelId: MODEL });
  counts = { rejections: 0, decisions: 0, newFaces: 0, joinedTheirPerson: 0 };
  for (let sequence = 0; sequence < SEQUENCES; sequence++) {
    const rng = createRng(7000 + sequence);
    const world: World = {
      store: clone(base.store),
      truth: new Map(base.faces.map((f) => [f.faceId, f.person])),
      photoOf: new Map(base.faces.map((f) => [f.faceId, f.photoId])),
      newFaces: new Map([...byPerson].map(([person, faces]) => [person, faces.slice(9)])),
    };
    const steps = 6 + rng.int(7);
    for (let s = 0; s < steps; s++) {
      const step = `sequence ${sequence} step ${s}`;
      randomStep(world, rng, step);
      checkAlways(world, step);
    }
    world.store.close();
  }
  // The properties were exercised, not skipped: every kind of step happened many times.
  if (SEQUENCES < 200) return; // a shorter run while developing
  assert.ok(counts.rejections >= 100, `only ${counts.rejections} rejections were checked`);
  assert.ok(counts.newFaces >= 100, `only ${counts.newFaces} new faces were checked`);
  assert.ok(counts.joinedTheirPerson >= counts.newFaces / 4, `new faces joined their person ${counts.joinedTheirPerson} of ${counts.newFaces} times`);
});
