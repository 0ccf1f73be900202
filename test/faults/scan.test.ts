/**
 * The scan against hostile files, with the real pipeline (one in-process AnalysisPool) and a real SQLite file:
 * every bad file is recorded with a reason naming it, the rest of the library is analysed, and peak memory stays
 * bounded on a 108-megapixel photo. Also: a file without read permission, scanned as an unprivileged user.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { AnalysisPool } from '../../main/faces/analysisPool.ts';
import type { PhotoAnalyser } from '../../main/faces/analysisPool.ts';
import { scanLibrary, type ScanReport } from '../../main/people/libraryScan.ts';
import { openStore, type Store } from '../../main/store/index.ts';
import { FACET_BIN, REPO_ROOT } from './cli.ts';
import { HUGE, makeHostileLibrary } from './hostileFiles.ts';
import { databaseProblems } from './invariants.ts';
import { tally } from './tally.ts';

/**
 * Growth of the resident set over the scan's start, at most. A full decode of the huge photo alone is 324 MB; decoded
 * at the scan's 4096 px it measures 55-100 MB above the working set of a 12 MP photo.
 */
const MAX_RSS_GROWTH = 150e6;
/** A phone's 12 MP photo: what every scan now decodes whole, so the working set the huge photo is measured against. */
const PHONE_PHOTO = { width: 4032, height: 3024 };

let dir: string;
let pool: AnalysisPool;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-faults-scan-'));
  pool = await AnalysisPool.create({ workers: 0 });
});

after(async () => {
  await pool.close();
  // Paths past PATH_MAX: Node's fs.rm cannot reach them, rm(1) walks by file descriptor.
  spawnSync('rm', ['-rf', dir]);
});

/** A scan on the shared pool; `sabotage` runs just before a file is analysed, after it was listed and hashed. */
function scan(store: Store, roots: string[], sabotage = new Map<string, () => Promise<void>>()): Promise<ScanReport> {
  const wrapped: PhotoAnalyser = {
    workers: 1,
    analyse: async (file: string) => {
      await sabotage.get(file)?.();
      return pool.analyse(file);
    },
    close: async () => {},
  };
  return scanLibrary({ store, roots, detectorId: pool.detector, embedderId: pool.embedder, createPool: async () => wrapped });
}

/** Samples the resident set every few milliseconds until stopped; returns the peak. */
function watchRss(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 3);
  return { stop: () => { clearInterval(timer); return Math.max(peak, process.memoryUsage.rss()); } };
}

test('hostile files: each is refused with a reason naming it, everything else is analysed, memory stays bounded', async () => {
  const library = await makeHostileLibrary(path.join(dir, 'hostile'));
  const store = openStore(path.join(dir, 'hostile.db'));
  try {
    // Warm the models up first, on a photo with faces and on a 12 MP photo (their working memory grows over the first
    // runs, and to a 12 MP photo's size on the first one a scan decodes whole): it is not what is measured here.
    // What is measured is what the hostile files, the 108 MP photo among them, cost beyond that.
    const withFaces = library.files.find((file) => file.expect.kind === 'analysed' && file.expect.faces)!.path;
    const phonePhoto = path.join(dir, 'phone-12mp.jpg');
    await sharp({ create: { ...PHONE_PHOTO, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 90 }).toFile(phonePhoto);
    for (let i = 0; i < 3; i++) {
      await pool.analyse(withFaces);
      await pool.analyse(phonePhoto);
    }
    const rssBefore = process.memoryUsage.rss();
    const rss = watchRss();
    const report = await scan(store, [library.root], library.sabotage);
    const growth = rss.stop() - rssBefore;
    assert.equal(report.status, 'done');
    assert.ok(growth < MAX_RSS_GROWTH, `peak RSS grew ${(growth / 1e6).toFixed(0)} MB during the scan (bound ${MAX_RSS_GROWTH / 1e6} MB)`);

    const failures = new Map(report.failed.map((failure) => [failure.file, failure]));
    for (const failure of report.failed) {
      assert.ok(failure.message.includes(failure.file), `the message names the file: ${failure.message}`);
    }
    for (const file of library.files) {
      const label = `${file.what} (${file.path.slice(-80)})`;
      const failure = failures.get(file.path);
      const photo = store.photos.findByPath(file.path);
      if (file.expect.kind === 'failed') {
        assert.ok(failure, `${label}: expected a failure, got ${JSON.stringify(report.failed.map((f) => f.file.slice(-60)))}`);
        assert.ok(file.expect.reasons.includes(failure.reason), `${label}: reason ${failure.reason}: ${failure.message}`);
        if (file.expect.says) assert.match(failure.message, file.expect.says, label);
        if (photo) assert.equal(photo.status, 'failed', `${label}: the photo row records the failure`);
      } else if (file.expect.kind === 'analysed') {
        assert.equal(failure, undefined, `${label}: ${failure?.message}`);
        assert.equal(photo?.status, 'ok', label);
        assert.equal(photo?.detectorId, pool.detector, `${label}: analysed`);
        if (file.expect.faces) assert.ok(store.faces.listByPhoto(photo!.id).length > 0, `${label}: faces found`);
      } else {
        assert.equal(failure, undefined, label);
        assert.equal(photo, undefined, `${label}: not listed`);
      }
    }
    assert.ok(!store.faces.list().some((face) => face.photoPath.includes(`${path.sep}loop${path.sep}`)), 'nothing listed twice through the loop');
    const huge = store.photos.findByPath(library.files.find((file) => file.what.includes(`${HUGE.width} x`))!.path)!;
    assert.deepEqual([huge.width, huge.height], [HUGE.width, HUGE.height]);
    assert.equal(report.failed.length, library.files.filter((file) => file.expect.kind === 'failed').length, JSON.stringify(report.failed, null, 1));

    // A rescan settles what changed under the first one; nothing is left pending.
    const again = await scan(store, [library.root]);
    assert.equal(again.missing, 1, 'the deleted file is marked missing');
    assert.equal(again.changed, 2, 'the two overwritten files are re-read');
    assert.deepEqual(store.photos.needingDetection(pool.detector, 10), []);
    assert.deepEqual(databaseProblems(store), []);
    tally('filesTried', library.files.length, 'hostile files');
    tally('linksRefused', report.failed.filter((failure) => failure.reason === 'link-outside').length, 'links out of the library folder');
    const stored = store.roots.list().flatMap((root) => store.photos.listForRescan(root.id).map((photo) => photo.path));
    assert.ok(!stored.some((file) => /passwd|outside|secret/u.test(file)), `nothing through a link out of the folder is stored: ${stored.filter((file) => /passwd|outside|secret/u.test(file))}`);
    console.log(`hostile files: ${library.files.length} tried, ${report.failed.length} refused by name, peak RSS +${(growth / 1e6).toFixed(0)} MB`);
  } finally {
    store.close();
  }
});

/** Runs `facet scan` as uid/gid 65534 (root reads every file whatever its mode), or says why that cannot be done. */
function scanAsNobody(folder: string, db: string): { status: number | null; stdout: string; stderr: string } | string {
  const asRoot = process.getuid?.() === 0;
  const which = spawnSync('setpriv', ['--version']);
  if (asRoot && which.status !== 0) return 'running as root without setpriv(1): no unprivileged user to read as';
  const command = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
  const result = spawnSync(command[0]!, [...command.slice(1), FACET_BIN, 'scan', folder, '--workers', '0', '--json'], {
    cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, FACET_DB: db, HOME: path.dirname(db) },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('a file and a folder without read permission are reported by name (scanned as an unprivileged user)', async (t) => {
  const home = path.join(dir, 'nobody');
  const library = path.join(home, 'library');
  await fs.mkdir(path.join(library, 'closed'), { recursive: true });
  await fs.writeFile(path.join(library, 'secret.jpg'), 'only its owner may read this');
  await fs.chmod(path.join(library, 'secret.jpg'), 0o000);
  await fs.writeFile(path.join(library, 'closed', 'inside.jpg'), 'x');
  await fs.chmod(path.join(library, 'closed'), 0o000);
  for (const folder of [dir, home, library]) await fs.chmod(folder, 0o777);
  const result = scanAsNobody(library, path.join(home, 'facet.db'));
  if (typeof result === 'string') return t.skip(result);
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as ScanReport;
  const byFile = new Map(report.failed.map((failure) => [failure.file, failure]));
  assert.match(byFile.get(path.join(library, 'secret.jpg'))?.message ?? '', /secret\.jpg.*(permission denied|EACCES)/i);
  assert.equal(byFile.get(path.join(library, 'closed'))?.reason, 'unreadable-directory');
  assert.match(byFile.get(path.join(library, 'closed'))!.message, /closed.*permission denied/);
  tally('filesTried', 2, 'unreadable file and folder');
});
