/**
 * End to end in Chromium, as a person would, on real models and real faces (LFW), `facet serve` on a temporary
 * FACET_HOME, Debian's Chromium driven by playwright-core.
 *
 * 1. The feedback loop (#12, item 6): scan, group, name two people, "not this person" on one face, find people
 *    again (the person keeps its other faces), a face moved to the wrong person and taken out again, which the
 *    review queue then offers to the right one ("yes"), fine-tune with force from the app and review what moved, scan a
 *    second folder (its faces join the named people), search by a dropped image (plausible matches only), merge
 *    two named people (confirmed in a dialog), undo it with Ctrl+Z, redo it with Ctrl+Shift+Z and undo it again, reload (the screen stays), restart the
 *    server on the same database and check that every state persisted.
 * 2. A keyboard-only session (#16, item 1) on the same library: every shortcut the app shows, no mouse.
 *
 * Screenshots of every screen at 1280 and 820 px wide go to test/e2e/screenshots/ (printed).
 * Skipped, with the reason, where Chromium, playwright-core or the LFW images are missing.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureRendererBuilt } from '../../main/api/rendererBuild.ts';
import { makeFixture, type Fixture } from './fixture.ts';
import { launchChromium, peopleOfFaces, SHOTS, shoot, skipReason, startServer, type Server } from './harness.ts';

const THRESHOLD = '0.2'; // above the calibrated 0.13, so that the LFW photos of a person surely group; below Colin Powell to Tony Blair (0.21)
const reason = skipReason();

describe('Facet in Chromium', { skip: reason }, () => {
  let fixture: Fixture;
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  /** What the journey leaves for the keyboard session and the restart checks. */
  const state = { colin: 0, tony: 0, serena: 0, rejectedFace: 0, colinFaces: [] as number[] };

  before(async () => {
    ensureRendererBuilt({ force: true, log: (line) => console.log(line) });
    fixture = makeFixture();
    server = await startServer(fixture);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    console.log(`screenshots: ${SHOTS}`);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (fixture) rmSync(fixture.base, { recursive: true, force: true });
  });

  async function waitForScan(since: number) {
    for (;;) {
      const status = await server.call('libraries.scanStatus', {});
      if (status.state === 'failed') throw new Error(`the scan failed: ${status.error}`);
      if ((status.state === 'done' || status.state === 'cancelled') && (status.finishedAt ?? 0) > since) return status;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  const entryOf = async (name: string) => (await server.call('people.list', {})).entries.find((e) => e.name === name);

  test('the feedback loop: scan, name, correct, find again, fine-tune, scan more, search by photo, undo a merge, restart', { timeout: 900_000 }, async () => {
    // 1. Libraries: add the folder, scan through the UI; the folder's "last scanned" follows without a reload.
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Libraries', exact: true }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/libraries', 'the token is taken out of the address bar, the screen put in');
    await shoot(page, '01-libraries-empty');
    await page.getByLabel('Folder to add').fill(fixture.library);
    await page.getByRole('button', { name: 'Add folder' }).click();
    const root = page.locator('[data-root]').first();
    await root.waitFor();
    await page.locator('[data-action=scan]').click();
    await page.locator('[data-scan-state=done]').waitFor({ timeout: 400_000 });
    await root.getByText(/^scanned /u).waitFor({ timeout: 5_000 });
    const faceCount = Number(await page.locator('[data-count=faces]').textContent());
    assert.ok(faceCount >= 16, `expected at least 16 faces, found ${faceCount}`);
    await shoot(page, '02-libraries-scanned');

    // 2. Settings: the backend the scan loaded, only loadable choices; threshold with its preview; groups of two.
    await page.locator('[data-nav=settings]').click();
    const backend = await page.locator('[data-backend]').getAttribute('data-backend');
    assert.ok(backend && ['onnx', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'].includes(backend), `a loaded backend is shown, got "${backend}"`);
    const choices = (await page.locator('[data-backend-choices]').getAttribute('data-backend-choices'))!.split(',');
    assert.ok(choices.includes(backend), `the loaded backend ${backend} is among the choices ${choices}`);
    await page.locator('[data-input=threshold]').fill(THRESHOLD);
    await page.locator('[data-preview]', { hasText: 'among' }).waitFor();
    const smallest = page.getByLabel('Smallest group');
    await smallest.fill('2');
    await smallest.press('Tab');
    await page.locator('[data-action=recluster]').click();
    await page.getByText(/found among/u).waitFor({ timeout: 60_000 });
    await shoot(page, '03-settings');

    // Which cluster is whom: the one holding most of each LFW person's faces.
    const clusterOf = new Map<string, { id: number; faces: Array<{ faceId: number; photoId: number; person: string | undefined }> }>();
    for (const entry of (await server.call('people.list', {})).entries.filter((e) => e.ref.kind === 'cluster')) {
      const faces = await peopleOfFaces(server, fixture, entry.ref);
      for (const person of ['Colin_Powell', 'Tony_Blair', 'Serena_Williams']) {
        const mine = faces.filter((f) => f.person === person).length;
        const best = clusterOf.get(person);
        if (mine >= 2 && (!best || mine > best.faces.filter((f) => f.person === person).length)) clusterOf.set(person, { id: entry.ref.id, faces });
      }
    }
    const [colin, tony, serena] = ['Colin_Powell', 'Tony_Blair', 'Serena_Williams'].map((p) => clusterOf.get(p));
    assert.ok(colin && tony && serena, `each LFW person should form a cluster: ${JSON.stringify([...clusterOf.keys()])}`);
    assert.equal(new Set([colin.id, tony.id, serena.id]).size, 3, 'three different clusters');

    // 3. People: name two clusters inline.
    await page.locator('[data-nav=people]').click();
    await page.locator(`[data-entry="cluster:${colin.id}"]`).waitFor();
    await shoot(page, '04-people');
    for (const [cluster, name] of [[colin, 'Colin Powell'], [tony, 'Tony Blair']] as const) {
      await page.locator(`[data-entry="cluster:${cluster.id}"] button.name`).click();
      const field = page.locator(`[data-entry="cluster:${cluster.id}"] input[role=combobox]`);
      await field.fill(name);
      await field.press('Enter');
      await page.locator(`[data-name="${name}"]`).waitFor();
    }
    const colinEntry = (await entryOf('Colin Powell'))!;
    const tonyEntry = (await entryOf('Tony Blair'))!;
    state.colin = colinEntry.ref.id;
    state.tony = tonyEntry.ref.id;

    // 4. "Not this person" on one of Colin's faces (the ✕ on the face).
    await page.locator(`[data-entry="person:${state.colin}"] button.thumb`).click();
    await page.getByRole('heading', { name: 'Colin Powell', exact: true }).waitFor();
    const colinFaces = colin.faces.filter((f) => f.person === 'Colin_Powell').map((f) => f.faceId);
    state.rejectedFace = colinFaces.at(-1)!;
    await page.locator(`[data-face="${state.rejectedFace}"] [data-action=not-this]`).click();
    await page.locator(`[data-face-total="${colinEntry.faceCount - 1}"]`).waitFor();
    await page.getByText(/taken out of Colin Powell/u).waitFor();
    await shoot(page, '05-person');
    // A reload stays on this screen (the address keeps it).
    await page.reload();
    await page.getByRole('heading', { name: 'Colin Powell', exact: true }).waitFor();

    // 5. Find people again: Colin keeps every other face, the rejected one stays out.
    await page.locator('[data-nav=libraries]').click();
    await page.locator('[data-action=cluster]').click();
    await page.getByRole('heading', { name: 'People', exact: true }).waitFor();
    let colinNow = (await server.call('faces.list', { ref: { kind: 'person', id: state.colin }, limit: 5000 })).faces.map((f) => f.faceId);
    assert.ok(!colinNow.includes(state.rejectedFace), 'the rejected face stays out of Colin after regrouping');
    for (const faceId of colinFaces.slice(0, -1)) assert.ok(colinNow.includes(faceId), `Colin keeps his face ${faceId} after regrouping`);

    // 6. A slip and its repair through the review queue: one of Tony's faces moved to Colin by mistake, then taken
    //    out of Colin ("not this person"). It now belongs to no one; its nearest faces are all Tony's, so Review
    //    asks "Is this Tony Blair?", and "Yes" puts it back. (Tony_Blair_0007: its 5 nearest faces here are Tony's.)
    let slipped = 0;
    for (const face of tony.faces.filter((f) => f.person === 'Tony_Blair')) {
      if (path.basename((await server.call('photo.get', { photoId: face.photoId })).photo.path) === 'Tony_Blair_0007.jpg') slipped = face.faceId;
    }
    assert.ok(slipped, "Tony_Blair_0007.jpg's face is in Tony's group");
    await page.locator('[data-nav=people]').click();
    await page.locator(`[data-entry="person:${state.tony}"] button.thumb`).click();
    await page.getByRole('heading', { name: 'Tony Blair', exact: true }).waitFor();
    await page.locator(`[data-face="${slipped}"] button.thumb`).click();
    await page.getByText('1 selected').waitFor();
    const moveTo = page.getByLabel('Move selected faces to');
    await moveTo.fill('Colin Powell');
    await moveTo.press('Enter');
    await page.getByText(/1 face moved to Colin Powell/u).waitFor();
    await page.locator('[data-nav=people]').click();
    await page.locator(`[data-entry="person:${state.colin}"] button.thumb`).click();
    await page.getByRole('heading', { name: 'Colin Powell', exact: true }).waitFor();
    await page.locator(`[data-face="${slipped}"] [data-action=not-this]`).click();
    await page.getByText(/taken out of Colin Powell/u).waitFor();
    await page.locator('[data-nav=unsorted]').click();
    await page.getByRole('heading', { name: 'Review', exact: true }).waitFor();
    // The face rejected from Colin in step 4 is in no group since the regrouping: Review lists it (no view did).
    await page.locator(`[data-loose-face="${state.rejectedFace}"]`).waitFor();
    const question = page.locator(`[data-suggestion="${slipped}"]`);
    await question.waitFor();
    assert.match((await question.locator('.ask').textContent()) ?? '', /Is this Tony Blair\?/u);
    await shoot(page, '06-review');
    await question.locator('[data-action=yes]').click();
    await page.getByText(/1 answered here/u).waitFor();
    const tonyFaces = (await server.call('faces.list', { ref: { kind: 'person', id: state.tony }, limit: 5000 })).faces.map((f) => f.faceId);
    assert.ok(tonyFaces.includes(slipped), '"Yes" put the face back in Tony');
    await shoot(page, '06-review-answered');

    // 7. Fine-tune with force from the app (the user ticks "Apply even without a measured gain", which starts
    //    unticked: a library this small has too few held-out photos to measure a gain), then review what moved.
    const forceBox = page.getByLabel('Apply even without a measured gain');
    assert.equal(await forceBox.isChecked(), false, 'not forced unless the user asks');
    await forceBox.check();
    await page.locator('[data-action=finetune]').click();
    const status = await page.locator('[data-finetune-status]').getAttribute('data-finetune-status', { timeout: 400_000 });
    assert.equal(status, 'applied', `forced fine-tuning applies: ${await page.locator('[data-finetune-status]').textContent()}`);
    const settings = await server.call('settings.get', {});
    assert.match(settings.embedder, /\+/u, 'the fine-tuned embedder is in use');
    await shoot(page, '07-review-finetuned');

    // 8. A second folder: its faces join the named people (through the one scan pipeline, adapter applied).
    await page.locator('[data-nav=libraries]').click();
    await page.getByLabel('Folder to add').fill(fixture.second);
    await page.getByRole('button', { name: 'Add folder' }).click();
    await page.locator('[data-root]').nth(1).waitFor();
    const before = Date.now();
    await page.locator('[data-action=scan]').click();
    await waitForScan(before);
    let joined = 0, secondFaces = 0;
    for (const face of (await server.call('faces.list', { ref: { kind: 'person', id: state.colin }, limit: 5000 })).faces
      .concat((await server.call('faces.list', { ref: { kind: 'person', id: state.tony }, limit: 5000 })).faces)) {
      const { photo } = await server.call('photo.get', { photoId: face.photoId });
      if (!photo.path.startsWith(fixture.second)) continue;
      const truth = fixture.personOf.get(path.basename(photo.path));
      if ((truth === 'Colin_Powell' && face.personId === state.colin) || (truth === 'Tony_Blair' && face.personId === state.tony)) joined++;
      secondFaces++;
    }
    assert.equal(secondFaces, joined, 'no face of the second folder joined the wrong person');
    assert.ok(joined >= 4, `at least 4 of the 6 new faces join Colin and Tony, ${joined} did`);

    // 9. Search by a dropped photo of Colin (not in the library): plausible matches only, Colin's first.
    await page.locator('[data-nav=search]').click();
    const bytes = readFileSync(fixture.query).toString('base64');
    const transfer = await page.evaluateHandle((b64: string) => {
      const g = globalThis as unknown as { atob(s: string): string; DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (parts: unknown[], name: string, o: object) => unknown };
      const binary = g.atob(b64);
      const data = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
      const dt = new g.DataTransfer();
      dt.items.add(new g.File([data], 'colin.jpg', { type: 'image/jpeg' }));
      return dt;
    }, bytes);
    await page.dispatchEvent('[aria-label="Drop a photo here"]', 'drop', { dataTransfer: transfer });
    const plausible = Number(await page.locator('[data-plausible]').getAttribute('data-plausible', { timeout: 120_000 }));
    const shown = await page.locator('[aria-label="Similar faces"] .who').allTextContents();
    assert.ok(plausible >= 3, `at least three plausible matches, got ${plausible}`);
    assert.equal(shown.length, plausible, 'only plausible matches until "show more"');
    // Unnamed ones ('—') may be among them: the Colin face the user took out is still Colin's face.
    assert.equal(shown[0], 'Colin Powell', 'the best match is Colin');
    assert.ok(shown.every((name) => name === 'Colin Powell' || name === '—'), `no one else is a plausible match: ${shown}`);
    await shoot(page, '08-search-by-photo');
    if (await page.locator('[data-action=show-more]').count()) {
      await page.locator('[data-action=show-more]').click();
      assert.ok((await page.locator('[aria-label="Similar faces"] .who').count()) > plausible, 'show more shows the rest');
    }

    // 10. Name Serena, merge Tony and Serena by mistake (both named: a dialog asks), undo it with Ctrl+Z.
    await page.locator('[data-nav=people]').click();
    // Regrouping (fine-tuning, the second scan) renumbers clusters: find Serena's by one of her faces.
    const serenaFace = serena.faces.find((f) => f.person === 'Serena_Williams')!;
    const { faces: onPhoto } = await server.call('photo.get', { photoId: serenaFace.photoId });
    const serenaCluster = onPhoto.find((f) => f.faceId === serenaFace.faceId)!.clusterId;
    assert.ok(serenaCluster, "Serena's faces are still an unnamed group");
    const serenaEntryKey = `[data-entry="cluster:${serenaCluster}"]`;
    // Naming her group "Colin Powell" goes against a "not Colin Powell" on one of her faces (recorded here as Review's
    // "No" records it): the app asks, and Cancel changes nothing (naming or merging a group used to drop the
    // decision without a word).
    await server.call('faces.notThisPerson', { faceIds: [serenaFace.faceId], personId: state.colin });
    const colinBeforeQuestion = (await entryOf('Colin Powell'))!.faceCount;
    await page.locator(`${serenaEntryKey} button.name`).click();
    await page.locator(`${serenaEntryKey} input[role=combobox]`).fill('Colin Powell');
    await page.locator(`${serenaEntryKey} input[role=combobox]`).press('Enter');
    const against = page.getByRole('dialog', { name: 'Go against your earlier decision?' });
    await against.waitFor();
    assert.match(await against.locator('[data-question]').innerText(), /^Naming this group Colin Powell goes against what you said before: a face here is not Colin Powell\./u);
    await shoot(page, '09a-name-against-decision');
    await against.locator('[data-action=cancel]').click();
    await against.waitFor({ state: 'detached' });
    assert.equal((await entryOf('Colin Powell'))?.faceCount, colinBeforeQuestion, 'Cancel: nothing joined Colin');
    await page.locator(`${serenaEntryKey} input[role=combobox]`).fill('Serena Williams');
    await page.locator(`${serenaEntryKey} input[role=combobox]`).press('Enter');
    await page.locator('[data-name="Serena Williams"]').waitFor();
    const serenaEntry = (await entryOf('Serena Williams'))!;
    state.serena = serenaEntry.ref.id;
    const tonyBefore = (await entryOf('Tony Blair'))!.faceCount;
    await page.locator(`[data-entry="person:${state.serena}"] input.select`).check();
    await page.locator(`[data-entry="person:${state.tony}"] input.select`).check();
    await page.locator('[data-action=merge]').click();
    const dialog = page.getByRole('dialog', { name: 'Merge two named people?' });
    await dialog.waitFor();
    assert.equal((await entryOf('Serena Williams'))?.faceCount, serenaEntry.faceCount, 'nothing merged before the answer');
    await shoot(page, '09-merge-confirm');
    await dialog.locator('[data-action=confirm]').click();
    await page.locator(`[data-entry="person:${state.tony}"][data-count="${tonyBefore + serenaEntry.faceCount}"]`).waitFor();
    assert.equal(await entryOf('Serena Williams'), undefined, 'merged');
    await page.keyboard.press('Control+z');
    await page.getByText(/^Undone: /u).waitFor();
    await page.locator('[data-name="Serena Williams"]').waitFor();
    assert.equal((await entryOf('Tony Blair'))?.faceCount, tonyBefore, 'the undo gave Tony his own faces back');
    assert.equal((await entryOf('Serena Williams'))?.faceCount, serenaEntry.faceCount, 'and Serena hers');
    await shoot(page, '10-undo');
    // Ctrl+Shift+Z redoes the merge, exactly; Ctrl+Z undoes it again.
    await page.keyboard.press('Control+Shift+z');
    await page.getByText(/^Redone: Merged "Serena Williams" into "Tony Blair"/u).waitFor();
    await page.locator(`[data-entry="person:${state.tony}"][data-count="${tonyBefore + serenaEntry.faceCount}"]`).waitFor();
    assert.equal(await entryOf('Serena Williams'), undefined, 'merged again');
    await page.keyboard.press('Control+z');
    await page.locator('[data-name="Serena Williams"]').waitFor();
    assert.equal((await entryOf('Tony Blair'))?.faceCount, tonyBefore, 'undone again');
    await page.locator('nav [data-action=redo]:not([disabled])').waitFor(); // something to redo: the nav's Redo is on

    // 11. History: the merge is there, undone; the other screens.
    await page.locator('[data-nav=history]').click();
    await page.locator('[data-kind=merge][data-undone=true] [data-action=redo-to]').first().waitFor();
    await shoot(page, '11-history');
    // "Undo to here" on an older decision undoes every later one too: it asks first; Cancel keeps all.
    const historyBefore11 = (await server.call('history.list', { limit: 500 })).entries.map((e) => [e.id, e.undone]);
    await page.locator('[data-action=undo-to]').last().click();
    const undoMany = page.getByRole('dialog', { name: /^Undo \d+ decisions\?$/u });
    await undoMany.waitFor();
    await undoMany.locator('[data-action=cancel]').click();
    await undoMany.waitFor({ state: 'detached' });
    assert.deepEqual((await server.call('history.list', { limit: 500 })).entries.map((e) => [e.id, e.undone]), historyBefore11, 'nothing undone');
    await page.locator('[data-nav=photos]').click();
    await page.locator('[data-index="0"] img').waitFor();
    const inTimeline = Number(await page.locator('[data-timeline-total]').getAttribute('data-timeline-total'));
    assert.ok(inTimeline >= 24, `every photo of both folders is in the timeline: ${inTimeline}`);
    await shoot(page, '12-photos');
    await page.locator('[data-index="0"]').click();
    await page.locator('svg rect[data-face]').first().waitFor();
    const first = page.url();
    await page.locator('[data-date-source]').waitFor();
    await shoot(page, '13-photo');
    await page.keyboard.press('ArrowRight');
    await page.waitForURL((url) => url.toString() !== first);
    await page.locator(`[data-nav=people]`).click();
    await page.locator(`[data-entry="person:${state.colin}"] button.thumb`).click();
    await page.getByRole('heading', { name: 'Colin Powell', exact: true }).waitFor();
    await page.getByLabel('Birth date').fill('1937-04-05');
    await page.getByLabel('Birth date').dispatchEvent('change');
    await page.locator('[data-year]').first().waitFor();
    const dated = (await server.call('person.get', { personId: state.colin })).photos.filter((p) => p.takenAt !== null);
    if (dated.length > 0) await page.locator('[data-age]').first().waitFor();
    // LFW's files carry no EXIF date: their ages come from file dates, and the page says so.
    if (dated.length > 0 && dated.every((p) => p.dateSource === 'file')) assert.match(await page.locator('[data-age]').first().innerText(), /^age \d+, file date$/u);
    else console.log('the LFW photos carry no date here: ages not shown');
    await shoot(page, '14-person-by-year');
    assert.deepEqual(pageErrors, [], 'no script errors in the page');

    // 12. Restart on the same database: every state is still there.
    colinNow = (await server.call('faces.list', { ref: { kind: 'person', id: state.colin }, limit: 5000 })).faces.map((f) => f.faceId);
    state.colinFaces = colinNow;
    const historyBefore = (await server.call('history.list', { limit: 500 })).entries;
    await server.stop();
    server = await startServer(fixture);
    await page.goto(server.url);
    await page.locator('[data-nav=people]').click();
    for (const name of ['Colin Powell', 'Tony Blair', 'Serena Williams']) await page.locator(`[data-name="${name}"]`).waitFor();
    const colinAfter = (await server.call('faces.list', { ref: { kind: 'person', id: state.colin }, limit: 5000 })).faces.map((f) => f.faceId);
    assert.deepEqual(colinAfter.sort(), [...colinNow].sort(), 'Colin has the same faces after the restart');
    assert.ok(!colinAfter.includes(state.rejectedFace), 'the rejected face is still out');
    assert.equal((await entryOf('Tony Blair'))?.faceCount, tonyBefore, 'the undone merge stays undone');
    assert.match((await server.call('settings.get', {})).embedder, /\+/u, 'the fine-tuned embedder is still in use');
    assert.equal((await server.call('person.get', { personId: state.colin })).person.birthDate, '1937-04-05');
    const historyAfter = (await server.call('history.list', { limit: 500 })).entries;
    assert.deepEqual(historyAfter.map((e) => [e.id, e.kind, e.undone]), historyBefore.map((e) => [e.id, e.kind, e.undone]), 'the history is the same');
    await shoot(page, '15-people-after-restart');
  });

  test('a keyboard-only session: every shortcut the app shows, no mouse', { timeout: 300_000 }, async () => {
    assert.ok(state.colinFaces.length > 0, 'the journey above must have finished: this session works on its library');
    const keys = page.keyboard;
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Libraries', exact: true }).waitFor();

    // People (Alt+3): the grid has the focus; move to Serena with the arrows, rename her with n.
    await keys.press('Alt+3');
    await page.getByRole('heading', { name: 'People', exact: true }).waitFor();
    await page.locator('[role=gridcell][tabindex="0"]:focus').waitFor();
    const index = async (selector: string) => Number(await page.locator(`[role=gridcell]:has(${selector})`).getAttribute('data-index'));
    const moveTo = async (target: number) => {
      await keys.press('Home');
      for (let i = 0; i < target; i++) await keys.press('ArrowRight');
    };
    await moveTo(await index(`[data-entry="person:${state.serena}"]`));
    await keys.press('n');
    await page.locator(`[data-entry="person:${state.serena}"] input[role=combobox]:focus`).waitFor();
    await keys.type('Serena J. Williams');
    await keys.press('Enter');
    await page.locator('[data-name="Serena J. Williams"]').waitFor();
    assert.equal((await server.call('person.get', { personId: state.serena })).person.name, 'Serena J. Williams', 'n renamed her');

    // Enter opens Colin; Space selects a face, x takes it out, Ctrl+Z puts it back; f finds similar; Esc goes back.
    await moveTo(await index(`[data-entry="person:${state.colin}"]`));
    await keys.press('Enter');
    await page.getByRole('heading', { name: 'Colin Powell', exact: true }).waitFor();
    const total = state.colinFaces.length;
    await page.locator(`[data-face-total="${total}"]`).waitFor();
    await page.locator('[role=gridcell][tabindex="0"]:focus').waitFor();
    await keys.press('ArrowRight');
    await keys.press(' ');
    await page.getByText('1 selected').waitFor();
    await keys.press('x');
    await page.locator(`[data-face-total="${total - 1}"]`).waitFor();
    await keys.press('Control+z');
    await page.locator(`[data-face-total="${total}"]`).waitFor();
    await keys.press('f');
    await page.locator('[data-plausible]').waitFor();
    assert.match(page.url(), /#\/search\?face=\d+/u);
    await keys.press('Escape');
    await page.getByRole('heading', { name: 'Colin Powell', exact: true }).waitFor();
    await keys.press('Escape');
    await page.getByRole('heading', { name: 'People', exact: true }).waitFor();

    // / focuses search from anywhere; Enter takes the highlighted suggestion (a prefix finds the whole name).
    await keys.press('/');
    await page.locator('input[aria-label="Search by name"]:focus').waitFor();
    await keys.type('colin p');
    await keys.press('Enter');
    await page.locator('.chip', { hasText: 'Colin Powell' }).waitFor();
    assert.ok(Number(await page.locator('[data-photo-results]').getAttribute('data-photo-results')) >= 5, 'his photos are found');
    // A second name at once: photos with both (none here: they are never in one photo).
    await keys.type('Tony');
    await keys.press('Enter');
    await page.locator('.chip', { hasText: 'Tony Blair' }).waitFor();
    await page.locator('[data-photo-results="0"]').waitFor();

    // Review (Alt+4, from the search field): y / n / s answer when there is a question.
    await keys.press('Alt+4');
    await page.getByRole('heading', { name: 'Review', exact: true }).waitFor();
    if (await page.locator('[data-suggestion]').count()) {
      await keys.press('s');
      await keys.press('n');
      await page.getByText(/1 answered here/u).waitFor();
    } else {
      console.log('keyboard session: the review queue is empty here, y/n/s not exercised');
    }

    // Photos (Alt+2): arrows and Enter open a photo, → goes to the next, Esc comes back. The photos' pages are
    // held back until Enter has been pressed, as on a busy machine: Enter on a cell still loading opens it when
    // its photo arrives (it did nothing before, and CI once timed out here).
    let releasePages!: () => void;
    const pagesHeld = new Promise<void>((resolve) => (releasePages = resolve));
    await page.route('**/api/photos.page', async (route) => {
      await pagesHeld;
      await route.continue();
    });
    await keys.press('Alt+2');
    await page.getByRole('heading', { name: 'Photos', exact: true }).waitFor();
    await page.locator('[data-index="0"]:focus').waitFor();
    await keys.press('ArrowRight');
    await page.locator('[data-index="1"]:focus .placeholder').waitFor();
    await keys.press('Enter');
    releasePages();
    await page.locator('svg rect[data-face]').first().waitFor();
    await page.unroute('**/api/photos.page');
    const opened = page.url();
    await keys.press('ArrowRight');
    await page.waitForURL((url) => url.toString() !== opened);
    await keys.press('Escape');
    await page.getByRole('heading', { name: 'Photos', exact: true }).waitFor();

    // History (Alt+6) and Ctrl+Z: the rename is undone; Ctrl+Y makes it again, Ctrl+Z undoes it once more.
    await keys.press('Alt+6');
    await page.getByRole('heading', { name: 'History', exact: true }).waitFor();
    await keys.press('Control+z');
    await page.getByText(/^Undone: /u).waitFor();
    // Redo takes back the last undo first: the oldest decision still undone (an earlier Ctrl+Z may have undone more).
    const redoable = (await server.call('history.list', { limit: 50 })).entries.filter((e) => e.redoable);
    const next = redoable[redoable.length - 1]!;
    assert.equal(next.undone, true);
    await page.locator(`[data-history="${next.id}"] [data-action=redo-to]`).waitFor();
    await keys.press('Control+y');
    await page.getByText(`Redone: ${next.summary}`, { exact: true }).waitFor();
    await page.locator(`[data-history="${next.id}"] [data-action=undo-to]`).waitFor();
    await keys.press('Control+z');
    await page.getByText(/^Undone: /u).waitFor();
    await page.locator(`[data-history="${next.id}"] [data-action=redo-to]`).waitFor();
    await shoot(page, '16-history-after-keyboard');

    // Last, as a user leaving would: Settings, "Forget all face data" (it failed every time on a real database
    // file: the WAL was truncated inside the decision's transaction). Everything goes; photos and folders stay.
    await keys.press('Alt+7');
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    await page.getByLabel('Type forget to confirm').fill('forget');
    await page.getByRole('button', { name: 'Forget everything' }).click();
    await page.getByText(/^Forgot /u).waitFor();
    assert.equal((await server.call('people.list', {})).entries.length, 0, 'no person or group is left');
    assert.ok((await server.call('photos.timeline', {})).total > 0, 'the photos stay');
    // The fine-tuned embedder's adapter was learnt from the named faces: it goes too (the Embedder list was blank).
    assert.equal((await server.call('settings.get', {})).embedder, 'dlib-resnet', 'back to the base network');
    await page.locator('nav [data-action=redo][disabled]').waitFor(); // forgetting ended redo: the nav's Redo is off
    await shoot(page, '17-settings-forgotten');
    assert.deepEqual(pageErrors, [], 'no script errors in the page');
  });
});
