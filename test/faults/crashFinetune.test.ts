/**
 * `facet finetune` killed with SIGKILL at seeded random moments, twenty times, on synthetic embeddings that an
 * adapter can improve (so it is applied, and each run replaces the last adapter): after each kill the embedder in
 * use always has an embedding for every face, its adapter record matches it, and nothing the user made is lost.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SETTING_KEYS as SETTINGS } from '../../main/core/settingKeys.ts';
import { adapterSettingsKey, parseAdapterRecord } from '../../main/learn/adapterRecord.ts';
import { currentModels } from '../../main/people/adapterStore.ts';
import type { FineTuneReport } from '../../main/people/fineTune.ts';
import { subspaceFaces } from '../../main/learn/testData.ts';
import type { Store } from '../../main/store/index.ts';
import { runFacet } from './cli.ts';
import { crashTrials, withStore } from './crash.ts';
import { databaseProblems, missingItems, userItems } from './invariants.ts';
import { insertSynthetic } from './syntheticLibrary.ts';
import { tally } from './tally.ts';

const BASE = 'dlib-resnet';
const DIM = 32;
/** Enough unnamed faces that applying (re-embedding, re-clustering) is a good part of a run, for kills to land in. */
const PERSONS = 3, NAMED = 12, UNNAMED = 300;
// --force: this test is about the switch being atomic, not about whether a small synthetic library earns an adapter.
const FINETUNE = ['finetune', '--json', '--seed', '3', '--force'];

let dir: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-faults-crash-finetune-'));
});

after(() => fs.rm(dir, { recursive: true, force: true }));

/** The switch to an adapted model is all or nothing: what is in use is complete and described by its record. */
function checkModelSwitch(store: Store): void {
  const { current, base } = currentModels(store);
  assert.deepEqual(store.embeddings.facesWithout(current, 5, 0), [], `faces without an embedding by ${current}, the embedder in use`);
  if (current === base) return;
  const key = adapterSettingsKey(base);
  const record = parseAdapterRecord(store.settings.get(key), key);
  assert.equal(record?.derivedModelId, current, 'the adapter record describes the embedder in use');
  assert.equal(record?.active, true);
  const threshold = store.settings.get(SETTINGS.threshold);
  if (record?.setClusterThreshold) assert.equal(threshold, record.clusterThreshold, 'the threshold moved with the model');
}

test('facet finetune killed at random moments: the model switch is atomic and every name stays', async () => {
  const db = path.join(dir, 'facet.db');
  const items = withStore(db, (store) => {
    const { vectors, labels } = subspaceFaces(PERSONS, NAMED + UNNAMED, DIM, 11);
    const library = insertSynthetic(store, { vectors, dim: DIM, identity: labels }, BASE);
    for (let p = 0; p < PERSONS; p++) {
      const person = store.persons.create({ name: `Person ${p + 1}` });
      store.assignments.assignByUser(library.byIdentity.get(p)!.slice(0, NAMED), person.id);
      store.constraints.add(library.byIdentity.get((p + 1) % PERSONS)!.at(-1)!, person.id, 'not');
    }
    return userItems(store);
  });
  const reference = path.join(dir, 'reference.db');
  await fs.copyFile(db, reference);
  const uninterrupted = await runFacet(FINETUNE, { db: reference });
  assert.equal(uninterrupted.code, 0, uninterrupted.stderr);
  const expected = JSON.parse(uninterrupted.stdout) as FineTuneReport;
  assert.equal(expected.status, 'applied', expected.reason);

  // The adapter's serial goes up when a run commits its switch: a kill that finds it up came after the commit.
  const serial = (store: Store) => parseAdapterRecord(store.settings.get(adapterSettingsKey(BASE)), adapterSettingsKey(BASE))?.serial ?? 0;
  let lastSerial = 0, killedAfterSwitch = 0;
  const trials = await crashTrials({
    db,
    args: FINETUNE,
    seed: 5,
    // Half anywhere in a run, half in its last part, where the adapter is applied and the library re-clustered.
    typicalMs: uninterrupted.ms,
    plan: (random, trial, typicalMs) => ({ delayMs: typicalMs * (trial % 2 === 0 ? 1.1 * random.next() : 0.55 + 0.5 * random.next()) }),
    check: (store, run) => {
      checkModelSwitch(store);
      if (run.killed && serial(store) > lastSerial) killedAfterSwitch++;
      lastSerial = serial(store);
    },
  });

  const final = await runFacet(FINETUNE, { db });
  assert.equal(final.code, 0, final.stderr);
  const report = JSON.parse(final.stdout) as FineTuneReport;
  assert.equal(report.status, 'applied', report.reason);
  assert.equal(report.embeddingsWritten, expected.embeddingsWritten);
  assert.equal(report.cluster?.clusters, expected.cluster?.clusters, 'the same clustering as a run never interrupted');
  withStore(db, (store) => {
    assert.deepEqual(databaseProblems(store), []);
    checkModelSwitch(store);
    assert.equal(store.settings.get(SETTINGS.embedder), report.derivedModelId);
    const lost = missingItems(items, userItems(store));
    tally('itemsLost', lost.length, 'finetune after the crash trials');
    assert.deepEqual(lost, []);
  });
  // Back to the base model: the threshold the adapters set goes with them (the user never set one).
  const rollback = await runFacet(['finetune', '--rollback', '--json'], { db });
  assert.equal(rollback.code, 0, rollback.stderr);
  withStore(db, (store) => {
    assert.equal(currentModels(store).current, BASE);
    assert.equal(store.settings.get(SETTINGS.threshold), undefined, 'no adapted threshold left behind for the base model');
  });
  console.log(`finetune: ${trials.kills} kills in ${trials.runs} runs, ${killedAfterSwitch} of them after the run had switched models; uninterrupted run ${uninterrupted.ms.toFixed(0)} ms`);
});
