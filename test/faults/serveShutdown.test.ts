/**
 * `facet serve` ends promptly (issue #17, finding 4): with no library folder at start-up (the case whose watcher
 * never became ready), a folder added later through the API is watched, and SIGTERM or Ctrl-C (SIGINT) ends the
 * process in under 3 s when idle.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FACET_BIN, REPO_ROOT } from './cli.ts';

const LIMIT_MS = 3000;

interface Serving {
  child: ChildProcess;
  url: string;
  port: number;
  token: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

async function serve(dir: string): Promise<Serving> {
  const home = path.join(dir, 'data');
  await fs.mkdir(home, { recursive: true });
  const child = spawn(process.execPath, [FACET_BIN, 'serve', '--json'], {
    cwd: REPO_ROOT, env: { ...process.env, FACET_HOME: home, FACET_DB: path.join(home, 'facet.db') }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  let stdout = '', stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`facet serve did not start in 180 s: ${stderr}`)), 180_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve(stdout.split('\n')[0]!);
      }
    });
    void exited.then(() => reject(new Error(`facet serve ended: ${stderr}`)));
  });
  const { url, port } = JSON.parse(line) as { url: string; port: number };
  return { child, url, port, token: url.split('#token=')[1]!, exited };
}

async function call(server: Serving, method: string, body: unknown): Promise<{ ok: boolean; value?: any; error?: { message: string } }> {
  const reply = await fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
    method: 'POST', headers: { 'x-facet-token': server.token, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return (await reply.json()) as { ok: boolean };
}

async function stopWithin(server: Serving, signal: NodeJS.Signals): Promise<number> {
  const sent = performance.now();
  server.child.kill(signal);
  const { code, at } = await server.exited;
  assert.equal(code, 0, `facet serve exits with 0 on ${signal}`);
  return at - sent;
}

test('facet serve with no folders watches a folder added later, and SIGTERM ends it in under 3 s', async (t) => {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-serve-stop-'));
  t.after(() => fs.rm(home, { recursive: true, force: true }));
  const library = path.join(home, 'library');
  await fs.mkdir(library);
  const server = await serve(home);
  t.after(() => server.child.kill('SIGKILL'));
  const added = await call(server, 'libraries.add', { path: library });
  assert.equal(added.ok, true, JSON.stringify(added));
  // A file that appears is noticed by the watcher, which starts a scan of the folder.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await fs.writeFile(path.join(library, 'note.jpg'), 'not really a photo');
  let deadline = performance.now() + 30_000;
  let state = 'idle';
  while (state === 'idle' && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    state = (await call(server, 'libraries.scanStatus', {})).value.state;
  }
  assert.notEqual(state, 'idle', 'the watcher scanned the folder added after start-up');
  // Idle again once that scan is over (it loads the models for the one file).
  deadline = performance.now() + 180_000;
  while ((state === 'running' || state === 'stopping') && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    state = (await call(server, 'libraries.scanStatus', {})).value.state;
  }
  assert.equal(state, 'done');
  const failures = await call(server, 'libraries.failures', {});
  assert.deepEqual(failures.value.failures.map((failure: { file: string }) => path.basename(failure.file)), ['note.jpg'], 'the file that failed is listed');
  const ms = await stopWithin(server, 'SIGTERM');
  assert.ok(ms < LIMIT_MS, `SIGTERM ended facet serve after ${ms.toFixed(0)} ms`);
  console.log(`facet serve: SIGTERM to exit ${ms.toFixed(0)} ms`);
});

test('Ctrl-C (SIGINT) ends an idle facet serve in under 3 s', async (t) => {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-serve-stop-'));
  t.after(() => fs.rm(home, { recursive: true, force: true }));
  const server = await serve(home);
  t.after(() => server.child.kill('SIGKILL'));
  const ms = await stopWithin(server, 'SIGINT');
  assert.ok(ms < LIMIT_MS, `SIGINT ended facet serve after ${ms.toFixed(0)} ms`);
  console.log(`facet serve: SIGINT to exit ${ms.toFixed(0)} ms`);
});

test('SIGTERM during a scan: facet serve stops after the photos in flight, exits 0, and the next scan goes on from there', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-serve-stop-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const library = path.join(dir, 'library');
  await fs.mkdir(library);
  const demo = path.join(REPO_ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo');
  // 24 photos: the scan is still analysing when it is stopped.
  for (let i = 0; i < 24; i++) await fs.copyFile(path.join(demo, `sample${(i % 6) + 1}.jpg`), path.join(library, `p${String(i).padStart(2, '0')}.jpg`));
  const server = await serve(dir);
  t.after(() => server.child.kill('SIGKILL'));
  assert.equal((await call(server, 'libraries.add', { path: library })).ok, true);
  assert.equal((await call(server, 'libraries.startScan', {})).ok, true);
  let status = (await call(server, 'libraries.scanStatus', {})).value;
  const deadline = performance.now() + 240_000;
  while (!(status.stage === 'analyse' && status.done >= 1) && status.state === 'running' && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = (await call(server, 'libraries.scanStatus', {})).value;
  }
  assert.equal(status.state, 'running', `the scan was still running when stopped (${JSON.stringify(status)})`);
  const ms = await stopWithin(server, 'SIGTERM');
  console.log(`facet serve: SIGTERM during a scan (${status.done} of ${status.total} analysed) to exit ${ms.toFixed(0)} ms`);
  assert.ok(ms < 20_000, `stopped after the photos in flight, not the whole scan (${ms.toFixed(0)} ms)`);
  // The next run finds the photos analysed so far and does the rest.
  const { openStore } = await import('../../main/store/index.ts');
  const store = openStore(path.join(dir, 'data', 'facet.db'));
  try {
    const detected = store.photos.listForRescan(store.roots.list()[0]!.id).length;
    assert.equal(detected, 24, 'every photo was listed before the stop');
    assert.equal(store.db.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
    const analysed = store.db.prepare('SELECT count(*) FROM photos WHERE detector_id IS NOT NULL').pluck().get() as number;
    assert.ok(analysed >= 1 && analysed < 24, `${analysed} of 24 analysed when it stopped`);
  } finally {
    store.close();
  }
});
