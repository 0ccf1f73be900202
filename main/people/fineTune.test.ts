/**
 * Fine-tuning on a real SQLite file: synthetic embeddings whose persons differ only along a
 * two-dimensional subspace (an adapter can stretch it, so it is applied), the same faces with shuffled
 * names (nothing to learn, so it is refused), and an LFW reference that the adapter would harm.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Store } from '../store/index.ts';
import { openStore } from '../store/index.ts';
import { addFaces, tempDir } from '../store/testing.ts';
import { applyAdapter } from '../learn/adapter.ts';
import { adapterFromRecord, adapterSettingsKey, parseAdapterRecord } from '../learn/adapterRecord.ts';
import { adaptNewFaces, rollbackAdapter } from './adapterStore.ts';
import { fineTune } from './fineTune.ts';
import { lfwReferenceFile, readLfwReference, writeLfwReference } from '../training/lfwReference.ts';
import { createRng, shuffled } from '../core/random.ts';
import { randomUnitRows, subspaceFaces } from '../learn/testData.ts';

const BASE = 'dlib-resnet';
const DIM = 32;

interface Library {
  store: Store;
  faceIds: number[];
  named: number;
  dir: string;
}

/** `persons` × `perPerson` named faces and `unnamed` more, embedded by BASE; names shuffled on request. */
function library(t: { after(fn: () => void): void }, persons: number, perPerson: number, options: { shuffleNames?: boolean; unnamed?: number } = {}): Library {
  const dir = tempDir(t);
  const store = openStore(path.join(dir, 'facet.db'));
  t.after(() => store.close());
  const named = persons * perPerson;
  const unnamed = options.unnamed ?? 6;
  const { vectors, labels } = subspaceFaces(persons, perPerson + unnamed, DIM, 11);
  const faceIds = addFaces(store, labels.length);
  store.embeddings.putMany(BASE, faceIds.map((faceId, i) => ({ faceId, vector: vectors.subarray(i * DIM, (i + 1) * DIM) })));
  // The first perPerson faces of each person are named; the rest wait for clustering.
  const namedRows = Array.from(labels, (_, i) => i).filter((i) => i % (perPerson + unnamed) < perPerson);
  const names = options.shuffleNames ? shuffled(namedRows.map((i) => labels[i]!), createRng(5)) : namedRows.map((i) => labels[i]!);
  const personIds = Array.from({ length: persons }, (_, p) => store.persons.create({ name: `Person ${p}` }).id);
  for (let p = 0; p < persons; p++) store.assignments.assignByUser(namedRows.filter((_, k) => names[k] === p).map((i) => faceIds[i]!), personIds[p]!);
  return { store, faceIds, named, dir };
}

function decisions(store: Store): string[] {
  return store.assignments.listUserDecisions().map((d) => `${d.faceId}:${d.personId}`);
}

function modelCounts(store: Store): Record<string, number> {
  return Object.fromEntries(store.embeddings.models().map(({ modelId, count }) => [modelId, count]));
}

describe('fineTune', () => {
  it('applies an adapter that separates persons along a subspace, re-embeds from stored vectors and keeps every decision', (t) => {
    const { store, faceIds, named } = library(t, 3, 12);
    const before = decisions(store);
    const report = fineTune(store);
    assert.equal(report.status, 'applied', report.reason);
    const heldOut = report.heldOut!;
    assert.ok(heldOut.adapted.accuracy >= heldOut.base.accuracy + 0.05, `held-out ${heldOut.base.accuracy} → ${heldOut.adapted.accuracy}`);
    assert.equal(heldOut.folds, 3, 'three seeds, each holding out its own fold');
    assert.equal(report.seeds.length, 3);
    assert.ok(report.seeds.every((s) => s.gain > 0), JSON.stringify(report.seeds));
    assert.ok(report.gainMean > report.gainSd, 'the gain is beyond the seed-to-seed spread');
    assert.ok(heldOut.faces >= (3 / 5) * named && heldOut.faces < named, `three of five folds hold out ${heldOut.faces} of ${named} faces, each at most once`);
    assert.match(report.lfwSkipped!, /no LFW reference/);

    const derived = `${BASE}+adapter1`;
    assert.equal(report.derivedModelId, derived);
    assert.equal(store.settings.get('embedder'), derived);
    assert.deepEqual(modelCounts(store), { [BASE]: faceIds.length, [derived]: faceIds.length });
    assert.equal(report.embeddingsWritten, faceIds.length);
    const record = parseAdapterRecord(store.settings.get(adapterSettingsKey(BASE)), 'adapter')!;
    assert.equal(record.active, true);
    assert.equal(record.dim, DIM);
    const stored = store.embeddings.get(faceIds[0]!, derived)!;
    const expected = applyAdapter(adapterFromRecord(record), store.embeddings.get(faceIds[0]!, BASE)!);
    assert.deepEqual(stored, expected);
    assert.equal(store.settings.get('clusterThreshold'), record.clusterThreshold);

    assert.equal(report.cluster!.modelId, derived);
    assert.equal(report.cluster!.keptUserDecisions, named);
    assert.deepEqual(decisions(store), before, 'user decisions untouched');

    // A face embedded by the base model after the switch gets its adapted vector.
    const [newFace] = addFaces(store, 1, 'later.jpg');
    store.embeddings.put(newFace!, BASE, randomUnitRows(1, DIM, 3));
    assert.equal(adaptNewFaces(store), 1);
    assert.equal(modelCounts(store)[derived], faceIds.length + 1);

    const rollback = rollbackAdapter(store);
    assert.equal(rollback.status, 'rolled-back');
    assert.equal(store.settings.get('embedder'), BASE);
    assert.equal(store.settings.get('clusterThreshold'), undefined, 'the threshold applying set is removed');
    assert.equal(parseAdapterRecord(store.settings.get(adapterSettingsKey(BASE)), 'adapter')!.active, false);
    assert.deepEqual(modelCounts(store), { [BASE]: faceIds.length + 1, [derived]: faceIds.length + 1 }, 'both models kept');
    assert.deepEqual(decisions(store), before);
    assert.equal(rollbackAdapter(store).status, 'nothing-to-roll-back');

    // Applying again makes adapter 2 and drops adapter 1's embeddings, which no stored weights could rebuild.
    const again = fineTune(store, { recluster: false });
    assert.equal(again.derivedModelId, `${BASE}+adapter2`);
    assert.deepEqual(Object.keys(modelCounts(store)).sort(), [BASE, `${BASE}+adapter2`]);
  });

  it('refuses an adapter trained on shuffled names, saying why, and changes nothing', (t) => {
    const { store } = library(t, 3, 12, { shuffleNames: true });
    const report = fineTune(store);
    assert.equal(report.status, 'not-applied');
    assert.equal(report.wouldApply, false);
    assert.match(report.reason, /held-out accuracy/);
    assert.ok(report.gainMean < 0.002 || report.seeds.some((s) => s.gain <= 0) || report.gainMean <= report.gainSd, JSON.stringify(report.seeds));
    assert.equal(store.settings.get('embedder'), undefined);
    assert.equal(store.settings.get(adapterSettingsKey(BASE)), undefined);
    assert.deepEqual(Object.keys(modelCounts(store)), [BASE]);

    // --force applies it all the same and says so.
    const forced = fineTune(store, { force: true, recluster: false });
    assert.equal(forced.status, 'applied');
    assert.equal(forced.forced, true);
    assert.match(forced.reason, /forced/);
    assert.equal(store.settings.get('embedder'), `${BASE}+adapter1`);
  });

  it('skips with fewer than two persons of enough named faces, and a dry run changes nothing', (t) => {
    const small = library(t, 2, 4);
    const skipped = fineTune(small.store);
    assert.equal(skipped.status, 'skipped');
    assert.match(skipped.reason, /at least 2 persons with 5 or more named faces.*4, 4/);

    const { store } = library(t, 3, 12);
    const dry = fineTune(store, { dryRun: true });
    assert.equal(dry.status, 'dry-run');
    assert.equal(dry.wouldApply, true);
    assert.equal(store.settings.get('embedder'), undefined);
    assert.deepEqual(Object.keys(modelCounts(store)), [BASE]);
  });

  it('refuses an adapter that costs more than 0.2 points on an LFW reference, and reads the reference from its cache file', (t) => {
    const { store, dir } = library(t, 3, 12);
    // LFW identities live in the dimensions the adapter shrinks; the two it stretches carry only noise.
    const identities = randomUnitRows(300, DIM, 21);
    const noise = randomUnitRows(600, DIM, 22);
    const embeddings = new Map<string, Float32Array>();
    for (let image = 0; image < 600; image++) {
      const v = Float32Array.from({ length: DIM }, (_, d) => (d < 2 ? 1.5 * noise[image * DIM + d]! : identities[Math.floor(image / 2) * DIM + d]! + 0.15 * noise[image * DIM + d]!));
      const norm = Math.hypot(...v);
      embeddings.set(`img${image}.jpg`, v.map((x) => x / norm));
    }
    const pairs = Array.from({ length: 300 }, (_, i) => ({
      a: `img${2 * i}.jpg`,
      b: i % 2 === 0 ? `img${2 * i + 1}.jpg` : `img${(2 * i + 3) % 600}.jpg`,
      same: i % 2 === 0,
      fold: i % 10,
    }));
    const file = writeLfwReference(dir, BASE, embeddings, pairs);
    assert.equal(file, lfwReferenceFile(dir, BASE));
    assert.equal(readLfwReference(dir, 'other-model'), undefined);
    const reference = readLfwReference(dir, BASE)!;
    assert.equal(reference.pairs.length, 300);

    const report = fineTune(store, { lfwReference: reference });
    assert.equal(report.status, 'not-applied', report.reason);
    assert.ok(report.lfw!.drop > 0.002, `LFW ${report.lfw!.base} → ${report.lfw!.adapted}`);
    assert.match(report.reason, /LFW accuracy dropped/);
    assert.equal(store.settings.get('embedder'), undefined);

    // With a generous allowance the same adapter passes, and the LFW figures are reported.
    const allowed = fineTune(store, { lfwReference: reference, maxLfwDrop: 1, dryRun: true });
    assert.equal(allowed.wouldApply, true);
    assert.equal(allowed.lfw!.pairs, 300);
  });
});
