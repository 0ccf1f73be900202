import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { IPC_CHANNEL, IPC_EVENT_CHANNEL, type ApiResult } from '../api/contract.ts';
import { createTestApi, seedLibrary } from '../api/testing.ts';
import type { IpcInvokeEventLike, IpcMainLike, WebContentsLike } from './electronApi.ts';
import { ipcHandler, registerIpc } from './ipc.ts';
import { findElectron } from './launch.ts';
import { createBridge } from './preload.ts';
import { appProtocolHandler, mediaProtocolHandler } from './protocols.ts';
import { APP_ORIGIN, EXTERNAL_LINK_ALLOWLIST, allowPermission, isAllowedExternalLink, isAppUrl, securityHeaders, windowOptions } from './windowConfig.ts';

test('the window runs the page sandboxed, isolated and without Node', () => {
  const { webPreferences } = windowOptions('/app/out/preload.cjs');
  assert.equal(webPreferences.contextIsolation, true);
  assert.equal(webPreferences.sandbox, true);
  assert.equal(webPreferences.nodeIntegration, false);
  assert.equal(webPreferences.nodeIntegrationInWorker, false);
  assert.equal(webPreferences.webviewTag, false);
  assert.equal(webPreferences.webSecurity, true);
  assert.equal(webPreferences.preload, '/app/out/preload.cjs');
});

test('only our own origin may be shown; every permission is denied; HTML carries the CSP', () => {
  assert.equal(isAppUrl(`${APP_ORIGIN}/index.html`), true);
  for (const url of ['https://example.com/', 'file:///etc/passwd', 'facet-app://evil/index.html', 'facet-media://media/face/1', 'javascript:alert(1)', 'not a url']) {
    assert.equal(isAppUrl(url), false, url);
  }
  for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) assert.equal(allowPermission(permission), false);
  const csp = securityHeaders('text/html; charset=utf-8')['content-security-policy']!;
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /object-src 'none'/);
  assert.equal(securityHeaders('text/javascript')['content-security-policy'], undefined);
});

function fakeEvent(url: string | null): IpcInvokeEventLike {
  return { senderFrame: url === null ? null : { url }, sender: { id: 1 } };
}

test('IPC: one channel; sender and arguments checked before the API runs; events reach live windows', async () => {
  const { api, store } = createTestApi();
  seedLibrary(store);
  const handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike = { handle: (channel, listener) => void handlers.set(channel, listener), removeHandler: (channel) => void handlers.delete(channel) };
  const sent: unknown[] = [];
  const live: WebContentsLike = { id: 1, send: (channel, payload) => void sent.push([channel, payload]), isDestroyed: () => false };
  const dead: WebContentsLike = { id: 2, send: () => assert.fail('sent to a destroyed window'), isDestroyed: () => true };
  const unregister = registerIpc(ipcMain, api, () => [live, dead]);
  assert.deepEqual([...handlers.keys()], [IPC_CHANNEL]);
  const handle = handlers.get(IPC_CHANNEL)!;
  const call = (event: IpcInvokeEventLike, ...args: unknown[]) => handle(event, ...args) as Promise<ApiResult<unknown>>;

  const ok = await call(fakeEvent(`${APP_ORIGIN}/index.html`), 'people.list', {});
  assert.equal(ok.ok, true);
  for (const url of ['https://evil.example/', 'file:///tmp/x.html', null]) {
    const refused = await call(fakeEvent(url), 'settings.forgetAllFaceData', { confirm: 'forget' });
    assert.equal(refused.ok, false);
    if (!refused.ok) assert.equal(refused.error.name, 'ForbiddenError');
  }
  assert.equal(store.faces.list().length, 12, 'a refused sender changed nothing');
  for (const args of [[], ['people.list'], [42, {}], ['people.list', {}, 'extra']]) {
    const bad = await call(fakeEvent(`${APP_ORIGIN}/`), ...args);
    assert.equal(bad.ok, false, JSON.stringify(args));
  }
  const invalid = await call(fakeEvent(`${APP_ORIGIN}/`), 'faces.assign', { faceIds: ['1'], name: 'X' });
  assert.equal(!invalid.ok && invalid.error.field, 'faceIds[0]');
  api.events.emit({ topic: 'changed', what: 'people' });
  assert.deepEqual(sent, [[IPC_EVENT_CHANNEL, { topic: 'changed', what: 'people' }]]);
  unregister();
  assert.equal(handlers.size, 0);
  api.events.emit({ topic: 'changed', what: 'faces' });
  assert.equal(sent.length, 1);
  assert.equal((await ipcHandler(api)(fakeEvent(`${APP_ORIGIN}/`), 'app.info', {})).ok, true);
});

test('the preload bridge forwards calls on the one channel and events back, and unsubscribes', async () => {
  const invoked: unknown[][] = [];
  const listeners = new Set<(event: unknown, payload: unknown) => void>();
  const bridge = createBridge({
    invoke: async (...args) => {
      invoked.push(args);
      return { ok: true, value: 1 };
    },
    on: (_channel, listener) => listeners.add(listener),
    removeListener: (_channel, listener) => listeners.delete(listener),
  });
  assert.deepEqual(await bridge.invoke('people.list', {}), { ok: true, value: 1 });
  assert.deepEqual(invoked, [[IPC_CHANNEL, 'people.list', {}]]);
  const got: unknown[] = [];
  const off = bridge.onEvent((event) => got.push(event));
  for (const listener of listeners) listener({}, { topic: 'changed', what: 'people' });
  off();
  assert.equal(listeners.size, 0);
  assert.deepEqual(got, [{ topic: 'changed', what: 'people' }]);
});

test('facet-app:// serves renderer/dist only; facet-media:// serves the database and library folders only', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-shell-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dist = path.join(dir, 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html>');
  writeFileSync(path.join(dist, 'assets', 'a.js'), 'x');
  writeFileSync(path.join(dir, 'secret.txt'), 'SECRET');
  const library = path.join(dir, 'library');
  mkdirSync(library);
  writeFileSync(path.join(dir, 'outside.jpg'), 'SECRET');
  symlinkSync(path.join(dir, 'outside.jpg'), path.join(library, 'link.jpg'));
  const app = appProtocolHandler(dist);
  const index = await app(new Request(`${APP_ORIGIN}/`));
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-security-policy')!, /default-src 'self'/);
  assert.equal((await app(new Request(`${APP_ORIGIN}/assets/a.js`))).headers.get('content-type'), 'text/javascript; charset=utf-8');
  for (const url of [`${APP_ORIGIN}/../secret.txt`, `${APP_ORIGIN}/%2e%2e/secret.txt`, `${APP_ORIGIN}/assets/..%2f..%2fsecret.txt`, 'facet-app://other/index.html']) {
    const response = await app(new Request(url));
    assert.ok(response.status >= 400, url);
    assert.ok(!(await response.text()).includes('SECRET'), url);
  }
  const { store } = createTestApi();
  const seeded = seedLibrary(store);
  const root = store.roots.add(library);
  const media = mediaProtocolHandler(store);
  const face = await media(new Request(`facet-media://media/face/${seeded.faces.ann[0]}`));
  assert.equal(face.status, 200);
  assert.equal(face.headers.get('content-type'), 'image/jpeg');
  for (const url of [`facet-media://media/library/${root.id}/link.jpg`, `facet-media://media/library/${root.id}/..%2foutside.jpg`, 'facet-media://media/face/0', 'facet-media://elsewhere/face/1']) {
    const response = await media(new Request(url));
    assert.ok(response.status >= 400, url);
  }
});

test('npm start finds Electron\'s binary or says why it falls back to browser mode', () => {
  assert.match(findElectron(() => { throw new Error("Cannot find module 'electron'"); }).reason!, /not installed/);
  assert.match(findElectron(() => '/nowhere/electron').reason!, /not downloaded/);
  assert.equal(findElectron(() => process.execPath).binary, process.execPath);
});

test('the window opens no external link except an allow-list, empty today (issue #17, finding 7)', () => {
  assert.deepEqual(EXTERNAL_LINK_ALLOWLIST, []);
  for (const url of ['https://example.com/', 'https://github.com/facet', 'http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'mailto:a@b.c', 'not a url']) {
    assert.equal(isAllowedExternalLink(url), false, url);
  }
  // The rule itself, with an allow-list: https, that origin exactly, no credentials in the URL.
  const allowed = ['https://facet.example'];
  assert.equal(isAllowedExternalLink('https://facet.example/help', allowed), true);
  for (const url of ['http://facet.example/help', 'https://facet.example.evil.com/', 'https://user:pw@facet.example/', 'https://evil.com/?https://facet.example']) {
    assert.equal(isAllowedExternalLink(url, allowed), false, url);
  }
});

test('electron-builder.yml sets the Electron fuses: no RunAsNode, NODE_OPTIONS or inspect arguments; asar integrity; app only from asar', () => {
  const config = parseYaml(readFileSync(path.join(import.meta.dirname, '..', '..', 'electron-builder.yml'), 'utf8')) as { asar?: boolean; electronFuses?: Record<string, boolean> };
  assert.equal(config.asar, true);
  assert.deepEqual(
    { ...config.electronFuses },
    {
      runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true, onlyLoadAppFromAsar: true, enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    },
  );
});
