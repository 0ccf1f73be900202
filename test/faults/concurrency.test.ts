/**
 * The user at work while `facet cluster` groups 20,500 synthetic faces in another process: renames, new names,
 * assignments, "not this person", merges and "nobody" keep coming on this process's connection from start to
 * finish, through the same decisions API the CLI and the app use. Not one of them may be overwritten or lost,
 * and no automatic assignment may contradict one.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { mergeTargets, nameTarget, rejectFace, resolveTarget } from '../../main/people/decisions.ts';
import type { ClusterRunReport } from '../../main/people/clusterLibrary.ts';
import { Random } from '../../main/core/random.ts';
import { synthesizeFaces } from '../../main/cluster/syntheticFaces.ts';
import { openStore, type Store } from '../../main/store/index.ts';
import { DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import { runFacet } from './cli.ts';
import { databaseProblems, missingItems, userItems } from './invariants.ts';
import { insertSynthetic, nameLargest, type InsertedLibrary } from './syntheticLibrary.ts';
import { tally } from './tally.ts';

/** A 20k-face library, just past the exact path's limit (20,000): the approximate path large libraries take. */
const FACES = 20_500;

let dir: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-faults-concurrency-'));
});

after(() => fs.rm(dir, { recursive: true, force: true }));

/** One user action of each kind in turn, on faces and persons drawn from `random`; returns what it did. */
function userAction(store: Store, library: InsertedLibrary, persons: number[], random: Random, step: number): string {
  const personId = persons[random.int(persons.length)]!;
  const face = library.faceIds[random.int(library.faceIds.length)]!;
  const person = { kind: 'person' as const, person: store.persons.get(personId)! };
  switch (step % 6) {
    case 0:
      nameTarget(store, person, `Person ${personId} (renamed ${step})`);
      return `rename ${personId}`;
    case 1:
      store.assignments.assignByUser([face], personId);
      return `face ${face} is ${personId}`;
    case 2: {
      // Most likely a face clustering is about to put with this person: its true identity's.
      const candidates = library.byIdentity.get(random.int(library.byIdentity.size))!;
      rejectFace(store, candidates[0]!, person);
      return `face ${candidates[0]} is not ${personId}`;
    }
    case 3: {
      const twin = store.persons.create({ name: `Twin ${step}` });
      store.assignments.assignByUser([face], twin.id);
      mergeTargets(store, { kind: 'person', person: twin }, person);
      return `merge twin ${twin.id} into ${personId}`;
    }
    case 4: {
      const created = nameTarget(store, resolveTarget(store, String(personId)), `Person ${personId} (named ${step})`);
      return `name ${created.id}`;
    }
    default:
      store.assignments.assignByUser([face], null);
      return `face ${face} is nobody`;
  }
}

function contradictions(store: Store): unknown[] {
  return store.db.prepare(`SELECT a.face_id, a.person_id, a.source FROM face_assignments a JOIN constraints c
    ON c.face_id = a.face_id AND c.person_id = a.person_id AND c.kind = 'not'`).all();
}

test(`decisions made while facet cluster groups ${FACES} faces in another process are all kept`, async () => {
  const db = path.join(dir, 'facet.db');
  const store = openStore(db);
  try {
    const library = insertSynthetic(store, synthesizeFaces({ faces: FACES, seed: 21 }), DEFAULT_EMBEDDER);
    const persons = nameLargest(store, library, 12, 10);
    const random = new Random(99);
    const clustering = runFacet(['cluster', '--threshold', '1.0', '--json'], { db, timeoutMs: 300_000 });
    let finished = false;
    void clustering.then(() => { finished = true; });

    const done: string[] = [];
    let expected = userItems(store);
    while (!finished) {
      done.push(userAction(store, library, persons, random, done.length));
      expected = userItems(store);
      await sleep(150);
    }
    const run = await clustering;
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as ClusterRunReport;
    assert.ok(report.clusters > 100 && report.keptUserDecisions > 0, JSON.stringify(report));
    assert.ok(done.length >= 6, `only ${done.length} actions while clustering ran`);

    const lost = missingItems(expected, userItems(store));
    tally('itemsLost', lost.length, 'user actions during clustering');
    assert.deepEqual(lost, [], 'decisions overwritten or lost by the clustering');
    assert.deepEqual(contradictions(store), [], 'an automatic assignment against a "not this person" made meanwhile');
    assert.deepEqual(databaseProblems(store), []);
    console.log(`concurrency: ${done.length} user actions during a ${(run.ms / 1000).toFixed(1)} s clustering of ${FACES} faces (${report.clusters} clusters); none lost`);
  } finally {
    store.close();
  }
});
