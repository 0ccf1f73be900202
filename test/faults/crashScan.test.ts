/**
 * `facet scan` killed with SIGKILL at seeded random moments, twenty times, on a small library of real face
 * photos that grows by a few copies before each run; after each kill the database is sound and nothing the user
 * made is gone, and a final uninterrupted scan finishes the work with exactly the faces each photo holds.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { DEFAULT_DETECTOR } from '../../native-models/catalog.ts';
import type { ScanReport } from '../../main/people/libraryScan.ts';
import { runFacet } from './cli.ts';
import { crashTrials, withStore } from './crash.ts';
import { DEMO_DIR } from './hostileFiles.ts';
import { databaseProblems, missingItems, userItems } from './invariants.ts';
import { tally } from './tally.ts';

const SAMPLES = ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg'];
/** Photos added before each run: enough that a run has several transactions to be killed in. */
const COPIES_PER_TRIAL = 3;
const SCAN = (root: string) => ['scan', root, '--workers', '0', '--json'];

let dir: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-faults-crash-scan-'));
});

after(() => fs.rm(dir, { recursive: true, force: true }));

test('facet scan killed at random moments: sound database, nothing lost, the next scan finishes the work', async () => {
  // 960 pixels wide: the faces are still plain to see, and each photo takes a fraction of a second.
  const originals = path.join(dir, 'originals');
  const root = path.join(dir, 'library');
  await fs.mkdir(originals);
  await fs.mkdir(root);
  for (const sample of SAMPLES) {
    await sharp(path.join(DEMO_DIR, sample)).resize({ width: 960 }).jpeg({ quality: 85 }).toFile(path.join(originals, sample));
    await fs.copyFile(path.join(originals, sample), path.join(root, sample));
  }
  const db = path.join(dir, 'facet.db');
  const first = await runFacet(SCAN(root), { db });
  assert.equal(first.code, 0, first.stderr);
  const facesOf = new Map<string, number>(); // content hash → faces a full scan finds
  const items = withStore(db, (store) => {
    const faces = SAMPLES.map((sample) => {
      const photo = store.photos.findByPath(path.join(root, sample))!;
      const found = store.faces.listByPhoto(photo.id);
      facesOf.set(photo.contentHash!, found.length);
      return found;
    });
    const [one, two] = [faces[0]!, faces[1]!];
    const ann = store.persons.create({ name: 'Ann' });
    store.assignments.assignByUser([one[0]!.id, two[0]!.id], ann.id);
    store.constraints.add(one[1]!.id, ann.id, 'not');
    store.assignments.assignByUser([two[1]!.id], null);
    store.faces.insert(two[0]!.photoId, { box: { x: 2, y: 2, width: 40, height: 40 }, landmarks: null, score: null, source: 'manual' });
    store.persons.rename(store.persons.create({ name: 'bob' }).id, 'Bob');
    return userItems(store);
  });
  assert.ok([...facesOf.values()].every((n) => n > 0), `every sample has faces: ${[...facesOf.values()]}`);

  const trials = await crashTrials({
    db,
    args: SCAN(root),
    seed: 20240601,
    prepare: async (trial, random) => {
      for (let k = 0; k < COPIES_PER_TRIAL; k++) {
        await fs.copyFile(path.join(originals, SAMPLES[random.int(SAMPLES.length)]!), path.join(root, `t${trial}-${k}.jpg`));
      }
    },
    // Half the kills anywhere in the run (model loading included), half among the photos' transactions.
    plan: (random, trial) => (trial % 2 === 0 ? { delayMs: 150 + 3000 * random.next() } : { after: /analyse 1\//, delayMs: 400 * random.next() }),
  });

  const final = await runFacet(SCAN(root), { db });
  assert.equal(final.code, 0, final.stderr);
  const report = JSON.parse(final.stdout) as ScanReport;
  assert.deepEqual(report.failed, []);
  withStore(db, (store) => {
    assert.deepEqual(databaseProblems(store), []);
    const lost = missingItems(items, userItems(store));
    tally('itemsLost', lost.length, 'scan after the crash trials');
    assert.deepEqual(lost, []);
    assert.deepEqual(store.photos.needingDetection(DEFAULT_DETECTOR, 10), [], 'nothing left to detect');
    const rootId = store.roots.findByPath(root)!.id;
    const photos = store.photos.listForRescan(rootId);
    assert.equal(photos.length, SAMPLES.length + COPIES_PER_TRIAL * trials.runs);
    for (const photo of photos) {
      const detected = store.faces.listByPhoto(photo.id).filter((face) => face.source === 'detected').length;
      assert.equal(detected, facesOf.get(photo.contentHash!), `${photo.path}: faces stored once each`);
    }
  });
  console.log(`scan: ${trials.kills} kills in ${trials.runs} runs (${trials.killsPastMark} after the first photo was stored); final scan analysed ${report.analysed}`);
});
