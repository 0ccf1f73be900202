/** `facet finetune` on a temporary library: dry run, apply (LFW cache missing: skipped with a message), rollback. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { subspaceFaces } from '../../learn/testData.ts';
import { openStore } from '../../store/index.ts';
import { addFaces, tempDir } from '../../store/testing.ts';

const FACET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/facet.js');

function facet(db: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [FACET, 'finetune', '--db', db, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Three persons of twenty named faces (they differ along two dimensions only), embedded by dlib-resnet. With
 * twelve, one seed's held-out split was already perfect, so there was no gain on every seed to apply.
 */
function library(dir: string): string {
  const db = path.join(dir, 'facet.db');
  const store = openStore(db);
  try {
    const { vectors, labels } = subspaceFaces(3, 20, 32, 11);
    const faceIds = addFaces(store, labels.length);
    store.embeddings.putMany('dlib-resnet', faceIds.map((faceId, i) => ({ faceId, vector: vectors.subarray(i * 32, (i + 1) * 32) })));
    for (let p = 0; p < 3; p++) {
      const person = store.persons.create({ name: `Person ${p}` });
      store.assignments.assignByUser(faceIds.filter((_, i) => labels[i] === p), person.id);
    }
  } finally {
    store.close();
  }
  return db;
}

describe('facet finetune', () => {
  it('dry-runs, applies with a note that no LFW cache was found, then rolls back', (t) => {
    const dir = tempDir(t);
    const db = library(dir);
    const dry = facet(db, '--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^dry-run: dry run: held-out accuracy (gained|changed)/);
    assert.match(dry.stdout, /held-out accuracy: base [\d.]+%/);

    const applied = facet(db, '--json', '--lfw', path.join(dir, 'no-lfw-here'));
    assert.equal(applied.status, 0, applied.stderr);
    const report = JSON.parse(applied.stdout);
    assert.equal(report.status, 'applied');
    assert.equal(report.derivedModelId, 'dlib-resnet+adapter1');
    assert.match(report.lfwSkipped, /no cached LFW embeddings of dlib-resnet at .*lfw-reference-dlib-resnet\.json/);

    const rollback = facet(db, '--rollback');
    assert.equal(rollback.status, 0, rollback.stderr);
    assert.match(rollback.stdout, /rolled-back: switched from dlib-resnet\+adapter1 back to dlib-resnet/);
    const store = openStore(db);
    try {
      assert.equal(store.settings.get('embedder'), 'dlib-resnet');
      assert.equal(store.embeddings.models().length, 2, 'both models keep their embeddings');
    } finally {
      store.close();
    }
  });

  it('refuses bad options by name', (t) => {
    const db = library(tempDir(t));
    assert.match(facet(db, '--holdout', '0.9').stderr, /--holdout must be a number, above 0 and at most 0\.5, not "0\.9"/);
    assert.match(facet(db, '--min-faces', '2').stderr, /--min-faces must be a whole number, at least 3, not "2"/);
  });
});
