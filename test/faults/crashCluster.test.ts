/**
 * `facet cluster` killed with SIGKILL at seeded random moments, twenty times, on synthetic embeddings with names
 * and rejections from the user: after each kill the database is sound, every decision is there, no automatic
 * assignment contradicts one, and a final uninterrupted run gives the same clustering as one never interrupted.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ClusterRunReport } from '../../main/people/clusterLibrary.ts';
import { synthesizeFaces } from '../../main/cluster/syntheticFaces.ts';
import type { Store } from '../../main/store/index.ts';
import { DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import { runFacet } from './cli.ts';
import { crashTrials, withStore } from './crash.ts';
import { databaseProblems, missingItems, userItems } from './invariants.ts';
import { insertSynthetic, nameLargest } from './syntheticLibrary.ts';
import { tally } from './tally.ts';

const FACES = 600;
/** Synthetic identities lie about 0.35-0.75 apart inside, 1.6-2.2 across (squared L2). */
const CLUSTER = ['cluster', '--threshold', '1.0', '--json'];

let dir: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-faults-crash-cluster-'));
});

after(() => fs.rm(dir, { recursive: true, force: true }));

/** Automatic assignments that put a face with a person the user said it is not. */
function contradictions(store: Store): unknown[] {
  return store.db.prepare(`SELECT a.face_id, a.person_id FROM face_assignments a JOIN constraints c
    ON c.face_id = a.face_id AND c.person_id = a.person_id AND c.kind = 'not'`).all();
}

function summary(report: ClusterRunReport) {
  return { faces: report.faces, clusters: report.clusters, namedPersons: report.namedPersons, unclustered: report.unclustered };
}

test('facet cluster killed at random moments: sound database, decisions kept, the next run gives the full result', async () => {
  const db = path.join(dir, 'facet.db');
  const items = withStore(db, (store) => {
    const library = insertSynthetic(store, synthesizeFaces({ faces: FACES, seed: 11 }), DEFAULT_EMBEDDER);
    nameLargest(store, library, 6, 8);
    return userItems(store);
  });
  const reference = path.join(dir, 'reference.db');
  await fs.copyFile(db, reference);
  const uninterrupted = await runFacet(CLUSTER, { db: reference });
  assert.equal(uninterrupted.code, 0, uninterrupted.stderr);
  const expected = summary(JSON.parse(uninterrupted.stdout) as ClusterRunReport);
  assert.ok(expected.clusters > 10, `a real clustering: ${JSON.stringify(expected)}`);

  const trials = await crashTrials({
    db,
    args: CLUSTER,
    seed: 77,
    // Half anywhere in a run, half just as the result is being written.
    typicalMs: uninterrupted.ms,
    plan: (random, trial, typicalMs) => (trial % 2 === 0 ? { delayMs: typicalMs * random.next() } : { after: /cluster finish/, delayMs: 150 * random.next() }),
    check: (store) => assert.deepEqual(contradictions(store), [], 'an automatic assignment against a "not this person"'),
  });

  const final = await runFacet(CLUSTER, { db });
  assert.equal(final.code, 0, final.stderr);
  assert.deepEqual(summary(JSON.parse(final.stdout) as ClusterRunReport), expected, 'the same result as a run never interrupted');
  withStore(db, (store) => {
    assert.deepEqual(databaseProblems(store), []);
    const lost = missingItems(items, userItems(store));
    tally('itemsLost', lost.length, 'cluster after the crash trials');
    assert.deepEqual(lost, []);
    assert.deepEqual(contradictions(store), []);
  });
  console.log(`cluster: ${trials.kills} kills in ${trials.runs} runs (${trials.killsPastMark} while writing); uninterrupted run ${uninterrupted.ms.toFixed(0)} ms`);
});
