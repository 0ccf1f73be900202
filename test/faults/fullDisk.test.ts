/**
 * A full disk under the database: `facet scan` and `facet cluster` on a tiny tmpfs that is full fail with a
 * clear error, leave a sound database with every user-made item, and finish once space is freed. Where no tmpfs
 * can be mounted (not root, or no permission), that test is skipped with the reason; the same fault is also made
 * in process with SQLite's max_page_count, which works anywhere.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createApi } from '../../main/api/handlers.ts';
import { clusterService } from '../../main/api/openApi.ts';
import { FakeAnalyser, fakeScanRunner } from '../../main/api/testing.ts';
import { clusterLibrary, type ClusterRunReport } from '../../main/people/clusterLibrary.ts';
import { synthesizeFaces } from '../../main/cluster/syntheticFaces.ts';
import { openStore } from '../../main/store/index.ts';
import { DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import { runFacet } from './cli.ts';
import { withStore } from './crash.ts';
import { DEMO_DIR } from './hostileFiles.ts';
import { databaseProblems, missingItems, userItems } from './invariants.ts';
import { insertSynthetic, nameLargest } from './syntheticLibrary.ts';
import { tally } from './tally.ts';

/** SQLite's own word for it, in process. */
const FULL = /database or disk is full/;

let dir: string;
const mounts: string[] = [];

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-faults-disk-'));
});

after(async () => {
  for (const mount of mounts) spawnSync('umount', [mount]);
  await fs.rm(dir, { recursive: true, force: true });
});

/** A tmpfs of `bytes` at `folder`, or why none could be mounted. */
function mountTmpfs(folder: string, bytes: number): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', folder], { encoding: 'utf8' });
  if (result.status !== 0) return `mount -t tmpfs failed: ${(result.stderr || result.error?.message || '').trim()}`;
  mounts.push(folder);
  return undefined;
}

/** Fills what is left of the file system at `folder` but `leave` bytes; returns the filler's path. */
async function fillUp(folder: string, leave: number): Promise<string> {
  const { bavail, bsize } = await fs.statfs(folder);
  const filler = path.join(folder, 'filler');
  await fs.writeFile(filler, Buffer.alloc(Math.max(0, bavail * bsize - leave)));
  return filler;
}

/** A library database: synthetic faces with names, and one real folder of face photos not yet scanned. */
async function seededDatabase(file: string, photos: string): Promise<Set<string>> {
  await fs.mkdir(photos, { recursive: true });
  for (const sample of ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg']) {
    await sharp(path.join(DEMO_DIR, sample)).resize({ width: 960 }).jpeg().toFile(path.join(photos, sample));
  }
  return withStore(file, (store) => {
    nameLargest(store, insertSynthetic(store, synthesizeFaces({ faces: 400, seed: 3 }), DEFAULT_EMBEDDER), 4, 6);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    return userItems(store);
  });
}

test('a full disk (tmpfs): scan and cluster stop with a clear error, nothing is corrupted or lost, and they finish once there is space', async (t) => {
  const disk = path.join(dir, 'disk');
  await fs.mkdir(disk);
  const skip = mountTmpfs(disk, 4 << 20);
  if (skip) return t.skip(skip);
  const db = path.join(disk, 'facet.db');
  const photos = path.join(dir, 'photos');
  const items = await seededDatabase(db, photos);

  // Room for a photo's faces or two, but not the whole scan; too little for a clustering's result.
  const runs = [{ args: ['scan', photos, '--workers', '0', '--json'], room: 120 << 10 }, { args: ['cluster', '--threshold', '1.0', '--json'], room: 48 << 10 }];
  for (const { args, room } of runs) {
    const filler = await fillUp(disk, room);
    const full = await runFacet(args, { db });
    assert.equal(full.code, 1, `facet ${args[0]} on a full disk must fail: ${full.stdout}`);
    assert.match(full.stderr, /^facet \w+: cannot write .*facet\.db: the disk it is on is full/m, `facet ${args[0]} says why, naming the database`);
    await fs.rm(filler);
    withStore(db, (store) => {
      assert.deepEqual(databaseProblems(store), [], `after facet ${args[0]} on a full disk`);
      const lost = missingItems(items, userItems(store));
      tally('itemsLost', lost.length, `facet ${args[0]} on a full disk`);
      assert.deepEqual(lost, []);
    });
    tally('crashesSurvived', 1, `facet ${args[0]} on a full disk`);
    const again = await runFacet(args, { db });
    assert.equal(again.code, 0, `facet ${args[0]} once there is space: ${again.stderr}`);
  }
  withStore(db, (store) => {
    assert.ok(store.faces.listByPhoto(store.photos.findByPath(path.join(photos, 'sample1.jpg'))!.id).length > 0, 'the scan finished');
    assert.deepEqual(databaseProblems(store), []);
  });
});

test('a database that cannot grow (max_page_count): clustering fails cleanly, in the API by name, then succeeds', async () => {
  const file = path.join(dir, 'capped.db');
  const store = openStore(file);
  try {
    nameLargest(store, insertSynthetic(store, synthesizeFaces({ faces: 600, seed: 4 }), DEFAULT_EMBEDDER), 4, 6);
    const items = userItems(store);
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages + 2}`);
    assert.throws(() => clusterLibrary(store, { threshold: 1 }), FULL);
    const api = createApi({ store, databasePath: file, analyser: new FakeAnalyser(), runScan: fakeScanRunner(), cluster: clusterService, transport: 'ipc' });
    const viaApi = await api.call('cluster.run', { threshold: 1 });
    assert.equal(viaApi.ok, false);
    if (!viaApi.ok) {
      assert.equal(viaApi.error.name, 'DiskFullError');
      assert.ok(viaApi.error.message.includes(file), viaApi.error.message);
    }
    assert.deepEqual(databaseProblems(store), []);
    const lost = missingItems(items, userItems(store));
    tally('itemsLost', lost.length, 'clustering into a capped database');
    assert.deepEqual(lost, []);
    store.db.pragma('max_page_count = 1073741823');
    const report: ClusterRunReport = clusterLibrary(store, { threshold: 1 });
    assert.ok(report.clusters > 0);
    tally('crashesSurvived', 1, 'clustering into a capped database');
  } finally {
    store.close();
  }
});
