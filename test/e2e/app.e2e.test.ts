/**
 * End to end, as a person would: `facet serve` on a temporary FACET_HOME, Debian's Chromium driven by
 * playwright-core, real models on real faces (LFW). Scan through the UI, group, name, merge, correct with
 * "not this person", search by name and by example face, then restart the server and check that every
 * decision is still there. Screenshots of each screen go to test/e2e/screenshots/.
 * Skipped, with the reason, where Chromium, playwright-core or the LFW images are missing.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { ApiMethod, ApiRequest, ApiResponse, ApiResult } from '../../main/api/contract.ts';
import { ensureRendererBuilt } from '../../main/api/rendererBuild.ts';
import { LFW_DIR, lfwAvailable, makeFixture, PEOPLE, REPO, type Fixture } from './fixture.ts';

const SHOTS = path.join(REPO, 'test', 'e2e', 'screenshots');
const THRESHOLD = '0.2'; // above the calibrated 0.13, so that four LFW photos of a person surely group; below Colin Powell to Tony Blair (0.21)

function findChromium(): string | undefined {
  for (const candidate of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  const which = spawnSync('which', ['chromium'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

function skipReason(): string | undefined {
  if (!lfwAvailable()) return `the LFW images are not at ${LFW_DIR} (set FACET_LFW_DIR; need ${PEOPLE.join(', ')})`;
  if (!findChromium()) return 'Chromium is not installed (apt-get install chromium)';
  if (!existsSync(path.join(REPO, 'node_modules', 'playwright-core'))) return 'playwright-core is not installed (npm install)';
  return undefined;
}

interface Server {
  child: ChildProcess;
  url: string;
  port: number;
  token: string;
  call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>>;
  stop(): Promise<void>;
}

async function startServer(fixture: Fixture): Promise<Server> {
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'facet.js'), 'serve', '--json', '--workers', '1'], {
    cwd: REPO,
    env: { ...process.env, FACET_HOME: fixture.home, FACET_DB: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('\n')) resolve(buffered.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`facet serve exited with ${code} before printing its address`)));
  });
  const { url, port } = JSON.parse(line) as { url: string; port: number };
  const token = url.split('#token=')[1]!;
  return {
    child, url, port, token,
    async call(method, request) {
      const response = await fetch(`http://127.0.0.1:${port}/api/${method}`, {
        method: 'POST', headers: { 'x-facet-token': token, 'content-type': 'application/json' }, body: JSON.stringify(request),
      });
      const result = (await response.json()) as ApiResult<unknown>;
      if (!result.ok) throw new Error(`${method}: ${result.error.name}: ${result.error.message}`);
      return result.value as never;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        // serve bounds its own shutdown (20 s); this only keeps a broken one from hanging the suite.
        const hung = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.once('exit', () => { clearTimeout(hung); resolve(); });
        child.kill('SIGINT');
      }),
  };
}

/** Which LFW person each face of a people entry is, by its photo's file name. */
async function peopleOfFaces(server: Server, fixture: Fixture, ref: { kind: 'person' | 'cluster'; id: number }) {
  const { faces } = await server.call('faces.list', { ref, limit: 5000 });
  const out: Array<{ faceId: number; person: string | undefined }> = [];
  for (const face of faces) {
    const { photo } = await server.call('photo.get', { photoId: face.photoId });
    out.push({ faceId: face.faceId, person: fixture.personOf.get(path.basename(photo.path)) });
  }
  return out;
}

const reason = skipReason();

test('Facet end to end in Chromium: scan, group, name, merge, correct, search, restart', { skip: reason, timeout: 300_000 }, async (t) => {
  const { chromium } = await import('playwright-core');
  ensureRendererBuilt({ force: true, log: (line) => t.diagnostic(line) });
  mkdirSync(SHOTS, { recursive: true });
  const fixture = makeFixture();
  t.after(() => rmSync(fixture.home, { recursive: true, force: true }));
  let server = await startServer(fixture);
  t.after(() => server.stop());

  const browser = await chromium.launch({
    executablePath: findChromium()!,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  let page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const shot = async (name: string) => {
    // Thumbnails load lazily: wait until every image on screen has arrived.
    // A function, not a string: a string would be eval'd, which the CSP rightly refuses. (No DOM types here.)
    const allLoaded = () => [...(globalThis as unknown as { document: { images: Iterable<{ complete: boolean }> } }).document.images].every((image) => image.complete);
    await page.waitForFunction(allLoaded, undefined, { timeout: 10_000 }).catch(() => undefined);
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };

  // 1. Libraries: add the folder, scan through the UI.
  await page.goto(server.url);
  await page.getByRole('heading', { name: 'Libraries' }).waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the token is taken out of the address bar');
  await shot('01-libraries-empty');
  await page.getByLabel('Folder to add').fill(fixture.library);
  await page.getByRole('button', { name: 'Add folder' }).click();
  await page.locator(`[data-root="${fixture.library}"]`).waitFor();
  await page.locator('[data-action=scan]').click();
  await page.locator('[data-scan-state=done]').waitFor({ timeout: 200_000 });
  const faceCount = Number(await page.locator('[data-count=faces]').textContent());
  assert.ok(faceCount >= 12, `expected at least 12 faces, found ${faceCount}`);
  await shot('02-libraries-scanned');

  // 2. Settings: threshold with its preview, groups of two allowed, regroup.
  await page.locator('[data-nav=settings]').click();
  await page.locator('[data-input=threshold]').fill(THRESHOLD);
  await page.locator('[data-preview]', { hasText: 'people among' }).waitFor();
  const smallest = page.getByLabel('Smallest group');
  await smallest.fill('2');
  await smallest.press('Tab');
  await page.locator('[data-action=recluster]').click();
  await page.getByText(/people found among/).waitFor({ timeout: 60_000 });
  await shot('03-settings');

  // Which cluster is whom: the one holding most of each LFW person's faces.
  const { entries } = await server.call('people.list', {});
  const clusterOf = new Map<string, { id: number; faces: Array<{ faceId: number; person: string | undefined }> }>();
  for (const entry of entries.filter((e) => e.ref.kind === 'cluster')) {
    const faces = await peopleOfFaces(server, fixture, entry.ref);
    for (const person of PEOPLE) {
      const mine = faces.filter((f) => f.person === person).length;
      const best = clusterOf.get(person);
      if (mine >= 2 && (!best || mine > best.faces.filter((f) => f.person === person).length)) clusterOf.set(person, { id: entry.ref.id, faces });
    }
  }
  const [colin, tony, serena] = PEOPLE.map((person) => clusterOf.get(person));
  assert.ok(colin && tony && serena, `each LFW person should form a cluster: ${JSON.stringify([...clusterOf.keys()])}`);
  assert.equal(new Set([colin.id, tony.id, serena.id]).size, 3, 'three different clusters');

  // 3. People: name a cluster inline.
  await page.locator('[data-nav=people]').click();
  await page.locator(`[data-entry="cluster:${colin.id}"]`).waitFor();
  await shot('04-people');
  await page.locator(`[data-entry="cluster:${colin.id}"] button.name`).click();
  await page.locator(`[data-entry="cluster:${colin.id}"] input[role=combobox]`).fill('Colin Powell');
  await page.locator(`[data-entry="cluster:${colin.id}"] input[role=combobox]`).press('Enter');
  await page.locator('[data-name="Colin Powell"]').waitFor();

  // 4. Merge two clusters (a mistake on purpose: Tony's and Serena's), then name the result.
  await page.locator(`[data-entry="cluster:${tony.id}"] input.select`).check();
  await page.locator(`[data-entry="cluster:${serena.id}"] input.select`).check();
  await page.locator('[data-action=merge]').click();
  const mergedCount = tony.faces.length + serena.faces.length;
  await page.locator(`[data-count="${mergedCount}"][data-name=""]`).waitFor();
  const merged = (await server.call('people.list', {})).entries.find((e) => e.ref.kind === 'person' && e.name === null && e.faceCount === mergedCount)!;
  assert.ok(merged, 'the two clusters became one unnamed person');
  await page.locator(`[data-entry="person:${merged.ref.id}"] button.thumb`).click();
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel("Person's name").fill('Tony Blair');
  await page.getByLabel("Person's name").press('Enter');
  await page.getByRole('heading', { name: 'Tony Blair' }).waitFor();

  // 5. "Not this person": Serena's faces leave Tony.
  const serenaFaces = serena.faces.map((f) => f.faceId);
  for (const faceId of serenaFaces) await page.locator(`[data-face="${faceId}"] button.thumb`).click();
  await page.locator('[data-action=not-this-person]').click();
  await page.locator(`[data-face-total="${tony.faces.length}"]`).waitFor();
  await shot('05-person');

  // 6. Search by name.
  await page.locator('[data-nav=search]').click();
  await page.getByLabel('Search by name').fill('Colin Powell');
  await page.getByLabel('Search by name').press('Enter');
  const photoResults = Number(await page.locator('[data-photo-results]').getAttribute('data-photo-results'));
  assert.equal(photoResults, colin.faces.length, 'one photo per face of Colin (one face each in LFW)');
  await shot('06-search-by-name');

  // 7. Search by example face: from Colin's page, "find similar" on his first face.
  const colinPerson = (await server.call('people.list', {})).entries.find((e) => e.name === 'Colin Powell')!;
  await page.locator('[data-nav=people]').click();
  await page.locator(`[data-entry="person:${colinPerson.ref.id}"] button.thumb`).click();
  const colinFaces = colin.faces.filter((f) => f.person === 'Colin_Powell');
  await page.locator(`[data-face="${colinFaces[0]!.faceId}"] [data-action=similar]`).click();
  await page.locator('[data-similar-results]').waitFor();
  const firstNames = await page.locator('[data-similar-results] .face span:first-of-type').allTextContents();
  assert.deepEqual(firstNames.slice(0, colinFaces.length - 1), Array(colinFaces.length - 1).fill('Colin Powell'), 'his other faces come first');
  await shot('07-search-by-face');

  // 8. The photo viewer with boxes and names, and the unsorted queue.
  await page.locator('[data-similar-results] .face').first().click();
  await page.locator('svg rect[data-face]').first().waitFor();
  await shot('08-photo');
  await page.locator('[data-nav=unsorted]').click();
  await page.getByRole('heading', { name: 'Unsorted' }).waitFor();
  await shot('09-unsorted');
  assert.deepEqual(pageErrors, [], 'no script errors in the page');

  // 9. Restart: every decision is still there, also after regrouping.
  await server.stop();
  server = await startServer(fixture);
  page = await context.newPage();
  await page.goto(server.url);
  await page.locator('[data-nav=people]').click();
  await page.locator('[data-name="Colin Powell"]').waitFor();
  await page.locator('[data-name="Tony Blair"]').waitFor();
  await shot('10-people-after-restart');
  for (const round of ['after restart', 'after regrouping']) {
    const people = (await server.call('people.list', {})).entries;
    const tonyNow = people.find((e) => e.name === 'Tony Blair');
    const colinNow = people.find((e) => e.name === 'Colin Powell');
    assert.ok(tonyNow && colinNow, `both names ${round}`);
    const tonyFaces = (await server.call('faces.list', { ref: tonyNow.ref, limit: 5000 })).faces.map((f) => f.faceId);
    assert.ok(!tonyFaces.some((id) => serenaFaces.includes(id)), `Serena's faces stay out of Tony ${round}`);
    assert.ok(tonyFaces.length >= tony.faces.length, `Tony keeps his faces ${round}`);
    assert.ok(colinNow.faceCount >= colin.faces.length, `Colin keeps his faces ${round}`);
    if (round === 'after restart') await server.call('cluster.run', {});
  }
});
