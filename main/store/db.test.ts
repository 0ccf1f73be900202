import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { defaultDatabasePath, defaultDataDir, openDatabase } from './db.ts';
import { DatabaseTooNewError, MigrationError, StoreError } from './errors/index.ts';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations/index.ts';
import { tempDir } from './testing.ts';

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const schemaOf = (db: Database.Database): unknown[] =>
  db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all();

test('a new file is migrated to the latest version with WAL, foreign keys and NORMAL sync', (t) => {
  const file = path.join(tempDir(t), 'facet.db');
  const db = openDatabase(file);
  try {
    assert.equal(db.pragma('user_version', { simple: true }), LATEST_VERSION);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('synchronous', { simple: true }), 1); // NORMAL
    assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    assert.deepEqual(tables, [
      'cluster_runs', 'clusters', 'constraints', 'decision_redo', 'decision_undo', 'decisions', 'embeddings', 'face_assignments', 'face_thumbnails',
      'face_times', 'faces', 'journal_recording', 'library_roots', 'persons', 'photos', 'settings',
    ]);
  } finally {
    db.close();
  }
});

test('reopening runs no migration again and leaves the schema as it was', (t) => {
  const file = path.join(tempDir(t), 'facet.db');
  let runs = 0;
  const counted: Migration[] = MIGRATIONS.map((m) => ({ ...m, up: (db) => (runs++, m.up(db)) }));
  const first = openDatabase(file, { migrations: counted });
  const schema = schemaOf(first);
  first.close();
  const second = openDatabase(file, { migrations: counted });
  try {
    assert.equal(runs, MIGRATIONS.length);
    assert.deepEqual(schemaOf(second), schema);
    assert.equal(second.pragma('user_version', { simple: true }), LATEST_VERSION);
  } finally {
    second.close();
  }
});

test('only pending migrations run, all in one step', (t) => {
  const file = path.join(tempDir(t), 'facet.db');
  openDatabase(file).close();
  const next: Migration = { version: LATEST_VERSION + 1, name: 'add-probe', up: (db) => db.exec('CREATE TABLE probe (x INTEGER) STRICT') };
  const db = openDatabase(file, { migrations: [...MIGRATIONS, next] });
  try {
    assert.equal(db.pragma('user_version', { simple: true }), LATEST_VERSION + 1);
    assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'probe'").pluck().get(), 1);
  } finally {
    db.close();
  }
});

test('a failing migration rolls back every pending one and keeps user_version', (t) => {
  const file = path.join(tempDir(t), 'facet.db');
  const broken: Migration = {
    version: LATEST_VERSION + 1,
    name: 'broken',
    up: (db) => {
      db.exec('CREATE TABLE half_done (x INTEGER)');
      throw new Error('boom');
    },
  };
  assert.throws(
    () => openDatabase(file, { migrations: [...MIGRATIONS, broken] }),
    (error: unknown) => error instanceof MigrationError && error.version === LATEST_VERSION + 1 && error.file === file,
  );
  const raw = new Database(file);
  try {
    assert.equal(raw.pragma('user_version', { simple: true }), 0);
    assert.equal(raw.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get(), 0);
  } finally {
    raw.close();
  }
  openDatabase(file).close(); // and the good list still applies afterwards
});

test('a migration list with a gap is refused', () => {
  const gap: Migration = { version: LATEST_VERSION + 2, name: 'gap', up: () => {} };
  assert.throws(() => openDatabase(':memory:', { migrations: [...MIGRATIONS, gap] }), MigrationError);
});

for (const journal of ['delete', 'wal'] as const) {
  test(`a database from a newer Facet is refused with DatabaseTooNewError and left untouched (${journal} journal)`, (t) => {
    const file = path.join(tempDir(t), 'facet.db');
    const raw = new Database(file);
    raw.pragma(`journal_mode = ${journal}`);
    raw.exec('CREATE TABLE from_the_future (x INTEGER); INSERT INTO from_the_future VALUES (1);');
    raw.pragma(`user_version = ${LATEST_VERSION + 1}`);
    raw.close();
    const before = sha256(file);
    const modifiedBefore = statSync(file).mtimeMs;

    assert.throws(
      () => openDatabase(file),
      (error: unknown) =>
        error instanceof DatabaseTooNewError &&
        error instanceof StoreError &&
        error.name === 'DatabaseTooNewError' &&
        error.file === file &&
        error.version === LATEST_VERSION + 1 &&
        error.supportedVersion === LATEST_VERSION,
    );
    assert.equal(sha256(file), before);
    assert.equal(statSync(file).mtimeMs, modifiedBefore);
    assert.equal(existsSync(`${file}-wal`), false);
  });
}

test('defaultDataDir follows FACET_HOME, then each OS convention', () => {
  const home = '/home/ada';
  assert.equal(defaultDataDir({ env: { FACET_HOME: '/data/facet' }, platform: 'linux', home }), '/data/facet');
  assert.equal(defaultDataDir({ env: {}, platform: 'linux', home }), '/home/ada/.local/share/facet');
  assert.equal(defaultDataDir({ env: { XDG_DATA_HOME: '/xdg' }, platform: 'linux', home }), '/xdg/facet');
  assert.equal(defaultDataDir({ env: { XDG_DATA_HOME: 'relative' }, platform: 'linux', home }), '/home/ada/.local/share/facet');
  assert.equal(defaultDataDir({ env: {}, platform: 'darwin', home: '/Users/ada' }), '/Users/ada/Library/Application Support/Facet');
  assert.equal(
    defaultDataDir({ env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\ada' }),
    'C:\\Users\\ada\\AppData\\Roaming\\Facet',
  );
});

test('defaultDatabasePath creates the folder', (t) => {
  const home = path.join(tempDir(t), 'nested', 'facet-home');
  const file = defaultDatabasePath({ env: { FACET_HOME: home } });
  assert.equal(file, path.join(home, 'facet.db'));
  assert.ok(statSync(home).isDirectory());
});
