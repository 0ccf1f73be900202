import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { backupDatabase, checkBackup, restoreDatabase } from './backup.ts';
import { RestoreError } from './errors/index.ts';
import { LATEST_VERSION } from './migrations/index.ts';
import { openStore, type Store } from './store.ts';
import { faceInput, tempDir } from './testing.ts';

/** Every row of every table, in rowid order: two databases with equal dumps hold the same data. */
function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    return Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT * FROM "${table}"`).all()]));
  } finally {
    db.close();
  }
}

function fill(store: Store): void {
  const root = store.roots.add('/photos');
  const photo = store.photos.upsert({ rootId: root.id, path: '/photos/a.jpg', size: 10, mtimeMs: 1.5, contentHash: 'h' }).id;
  const [f1, f2] = store.faces.insertDetected(photo, 'det', [faceInput(), faceInput({ box: { x: 200, y: 20, width: 90, height: 90 } })]);
  store.embeddings.put(f1!, 'm', new Float32Array([0.6, 0.8]));
  const ann = store.persons.create({ name: 'Ann', birthDate: '1990-02-03' });
  store.constraints.add(f1!, ann.id, 'is');
  store.constraints.add(f2!, ann.id, 'not');
  store.settings.set('clusterThreshold', 0.12);
}

test('a backup taken while the database is in use restores to exactly the same data; the replaced one is kept', async (t) => {
  const dir = tempDir(t);
  const live = path.join(dir, 'facet.db'), backup = path.join(dir, 'backup.db');
  const store = openStore(live);
  fill(store);
  const result = await backupDatabase(store.db, backup);
  assert.equal(result.schemaVersion, LATEST_VERSION);
  const atBackup = dump(live);
  store.persons.create({ name: 'Added after the backup' });
  store.close();
  const afterBackup = dump(live);
  assert.notDeepEqual(afterBackup, atBackup);

  const restored = await restoreDatabase(backup, live, new Date('2026-01-02T03:04:05Z'));
  assert.deepEqual(dump(live), atBackup);
  assert.equal(path.basename(restored.previous!), 'facet.db.before-restore-2026-01-02T03-04-05-000Z');
  assert.deepEqual(dump(restored.previous!), afterBackup, 'the database that was replaced is kept whole');
  const reopened = openStore(live);
  assert.equal(reopened.persons.findByName('Ann')!.birthDate, '1990-02-03');
  assert.equal(reopened.persons.findByName('Added after the backup'), undefined);
  reopened.close();
});

test('backup refuses to overwrite a file; restore refuses what is not a sound Facet database it understands', async (t) => {
  const dir = tempDir(t);
  const live = path.join(dir, 'facet.db');
  const store = openStore(live);
  fill(store);
  const good = path.join(dir, 'good.db');
  await backupDatabase(store.db, good);
  const problem = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof RestoreError, String(error));
      return error.problem;
    }
    return 'accepted';
  };
  await assert.rejects(backupDatabase(store.db, good), (error: unknown) => error instanceof RestoreError && error.problem === 'exists');
  store.close();
  const before = readFileSync(live);

  assert.equal(problem(() => checkBackup(good, live)), 'accepted');
  assert.equal(problem(() => checkBackup(live, live)), 'live-database');
  assert.equal(problem(() => checkBackup(path.join(dir, 'nothing.db'), live)), 'missing');

  const newer = path.join(dir, 'newer.db');
  writeFileSync(newer, readFileSync(good));
  const db = new Database(newer);
  db.pragma(`user_version = ${LATEST_VERSION + 1}`);
  db.close();
  assert.equal(problem(() => checkBackup(newer, live)), 'too-new');

  const other = path.join(dir, 'other.db');
  const otherDb = new Database(other);
  otherDb.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)');
  otherDb.close();
  assert.equal(problem(() => checkBackup(other, live)), 'not-facet');

  const text = path.join(dir, 'text.db');
  writeFileSync(text, 'not a database at all, just some text '.repeat(200));
  assert.equal(problem(() => checkBackup(text, live)), 'not-sqlite');

  // A page of the faces table overwritten with noise: SQLite opens the file, integrity_check finds the damage.
  const damaged = path.join(dir, 'damaged.db');
  const bytes = Buffer.from(readFileSync(good));
  const pageSize = bytes.readUInt16BE(16);
  for (let i = pageSize * 3; i < pageSize * 4 && i < bytes.length; i++) bytes[i] = (i * 131) % 256;
  writeFileSync(damaged, bytes);
  assert.ok(['corrupt', 'not-sqlite', 'not-facet'].includes(problem(() => checkBackup(damaged, live))));

  await assert.rejects(restoreDatabase(newer, live), RestoreError);
  assert.deepEqual(readFileSync(live), before, 'a refused restore changes nothing');
  assert.equal(existsSync(`${live}.restoring`), false);
});
