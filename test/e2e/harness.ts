/**
 * What the end-to-end tests share: `facet serve` on a fixture's FACET_HOME, a direct API caller for checks,
 * Debian's Chromium through playwright-core, and screenshots at two widths into one folder the test prints.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ApiMethod, ApiRequest, ApiResponse, ApiResult } from '../../main/api/contract.ts';
import { ensureRendererBuilt } from '../../main/api/rendererBuild.ts';
import { lfwAvailable, LFW_DIR, PEOPLE, REPO, type Fixture } from './fixture.ts';

/** Screenshots go here (git-ignored); FACET_E2E_SHOTS overrides. */
export const SHOTS = process.env.FACET_E2E_SHOTS ?? path.join(REPO, 'test', 'e2e', 'screenshots');
export const WIDTHS = [1280, 820] as const;

export function findChromium(): string | undefined {
  for (const candidate of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  const which = spawnSync('which', ['chromium'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

export function skipReason(): string | undefined {
  if (!lfwAvailable()) return `the LFW images are not at ${LFW_DIR} (set FACET_LFW_DIR; need ${PEOPLE.join(', ')})`;
  if (!findChromium()) return 'Chromium is not installed (apt-get install chromium)';
  if (!existsSync(path.join(REPO, 'node_modules', 'playwright-core'))) return 'playwright-core is not installed (npm install)';
  return undefined;
}

export interface Server {
  child: ChildProcess;
  url: string;
  port: number;
  call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>>;
  stop(): Promise<void>;
}

export async function startServer(fixture: Fixture): Promise<Server> {
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
    child, url, port,
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

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: findChromium()!,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The app on a fixture: `facet serve` on its home, Chromium, one 1280x900 page whose page errors are collected. */
export interface OpenApp {
  server: Server;
  browser: Browser;
  page: Page;
  pageErrors: string[];
  close(): Promise<void>;
}

/** Builds the renderer afresh, starts the server and Chromium, and opens a page (not yet navigated). */
export async function openApp(fixture: Fixture): Promise<OpenApp> {
  ensureRendererBuilt({ force: true, log: (line) => console.log(line) });
  const server = await startServer(fixture);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const opened = browser;
    return { server, browser, page, pageErrors, close: async () => { await opened.close(); await server.stop(); } };
  } catch (error) {
    await browser?.close();
    await server.stop();
    throw error;
  }
}

/** Waits until every image on screen has arrived (thumbnails load lazily). */
async function imagesLoaded(page: Page): Promise<void> {
  // A function, not a string: a string would be eval'd, which the CSP rightly refuses. (No DOM types here.)
  const allLoaded = () => [...(globalThis as unknown as { document: { images: Iterable<{ complete: boolean }> } }).document.images].every((image) => image.complete);
  await page.waitForFunction(allLoaded, undefined, { timeout: 10_000 }).catch(() => undefined);
}

/** Screenshots of what is on screen at each width (`name-1280.png`, `name-820.png`); returns the files. */
export async function shoot(page: Page, name: string): Promise<string[]> {
  mkdirSync(SHOTS, { recursive: true });
  const files: string[] = [];
  const before = page.viewportSize() ?? { width: 1280, height: 900 };
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150); // layout and the virtual grids' measurements follow the resize
    await imagesLoaded(page);
    const file = path.join(SHOTS, `${name}-${width}.png`);
    await page.screenshot({ path: file });
    files.push(file);
    // Nothing may be wider than the window: a horizontal scrollbar hides controls (History at 820 px once did).
    const overflow = await page.evaluate(() => {
      type Box = { tagName: string; scrollWidth: number; clientWidth: number };
      const doc = (globalThis as unknown as { document: { documentElement: Box; querySelector(selector: string): Box | null } }).document;
      return [doc.documentElement, doc.querySelector('main')].flatMap((el) => (el && el.scrollWidth > el.clientWidth + 1 ? [`${el.tagName.toLowerCase()} ${el.scrollWidth} > ${el.clientWidth} px`] : []));
    });
    if (overflow.length > 0) throw new Error(`${name} at ${width} px scrolls sideways: ${overflow.join(', ')} (see ${file})`);
  }
  await page.setViewportSize(before);
  return files;
}

/** Which LFW person each face of a people entry is, by its photo's file name. */
export async function peopleOfFaces(server: Server, fixture: Fixture, ref: { kind: 'person' | 'cluster'; id: number }) {
  const { faces } = await server.call('faces.list', { ref, limit: 5000 });
  const out: Array<{ faceId: number; photoId: number; person: string | undefined }> = [];
  for (const face of faces) {
    const { photo } = await server.call('photo.get', { photoId: face.photoId });
    out.push({ faceId: face.faceId, photoId: face.photoId, person: fixture.personOf.get(path.basename(photo.path)) });
  }
  return out;
}
