/**
 * Over 10,000 seeded random and malformed requests against the real HTTP bridge (127.0.0.1, token, Host and
 * Origin checks) and the IPC handler (fake ipcMain events), on a real SQLite file: the server answers every one
 * and never fails inside (no InternalError), no request pollutes Object.prototype, and after every request that
 * was refused the database file and its write-ahead log are byte for byte what they were.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { IPC_CHANNEL, type ApiResult } from '../../main/api/contract.ts';
import { startHttpServer, type RunningServer } from '../../main/api/httpServer.ts';
import { createTestApi, seedLibrary } from '../../main/api/testing.ts';
import type { IpcInvokeEventLike, IpcMainLike } from '../../main/app/electronApi.ts';
import { registerIpc } from '../../main/app/ipc.ts';
import { APP_ORIGIN } from '../../main/app/windowConfig.ts';
import { Random } from '../../main/core/random.ts';
import { openStore, type Store } from '../../main/store/index.ts';
import { databaseProblems, missingItems, userItems } from './invariants.ts';
import { POLLUTION_KEY, deeplyNested, mutate, pick, plausibleRequest, randomMethod, randomValue, withoutDeliberateDeletion } from './fuzzRequests.ts';
import { rawRequests } from './rawHttp.ts';
import { tally } from './tally.ts';

const HTTP_REQUESTS = 4500;
const RAW_REQUESTS = 300;
const IPC_REQUESTS = 5500;

let dir: string;
let dbFile: string;
let store: Store;

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'facet-faults-fuzz-'));
  dbFile = path.join(dir, 'facet.db');
  store = openStore(dbFile);
  const seeded = seedLibrary(store);
  const ann = store.persons.create({ name: 'Ann' });
  store.assignments.assignByUser(seeded.faces.ann, ann.id);
  store.constraints.add(seeded.faces.bob[0]!, ann.id, 'not');
  store.persons.create({ name: 'Émile', birthDate: '1990-04-01' });
});

after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The database file and its WAL, byte for byte. */
function fileDigest(): string {
  const hash = createHash('sha256');
  for (const file of [dbFile, `${dbFile}-wal`]) hash.update(existsSync(file) ? readFileSync(file) : Buffer.alloc(0)).update('|');
  return hash.digest('hex');
}

/** A short description of a value that may be too deep for JSON.stringify. */
function preview(value: unknown): string {
  try {
    return String(JSON.stringify(value)).slice(0, 300);
  } catch {
    return '(too deeply nested to print)';
  }
}

/** Tracks the database across requests: a refused one must leave it as the last accepted one did. */
class Ledger {
  digest = fileDigest();
  items = userItems(store);
  refused = 0;
  accepted = 0;
  lost = 0;
  readonly internal: string[] = [];

  after(what: string, result: ApiResult<unknown> | undefined): void {
    if (result && !result.ok && result.error.name === 'InternalError') this.internal.push(`${what}: ${result.error.message}`);
    if (result?.ok) {
      this.accepted++;
      // Emptying the WAL keeps the files small, so that comparing them byte for byte after every request is cheap.
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      this.digest = fileDigest();
      this.items = userItems(store);
      return;
    }
    this.refused++;
    const now = fileDigest();
    if (now === this.digest) return;
    const lost = missingItems(this.items, userItems(store));
    this.lost += lost.length;
    tally('itemsLost', lost.length, `refused request ${what.slice(0, 100)}`);
    assert.fail(`refused request changed the database: ${what.slice(0, 300)}\nlost: ${lost.join('; ')}`);
  }
}

function send(server: RunningServer, agent: http.Agent, target: string, method: string, headers: Record<string, string>, body: string | undefined) {
  return new Promise<{ status: number; body: string; stream: boolean }>((resolve, reject) => {
    // As a browser sends it: what is not printable ASCII percent-encoded (raw bytes go through rawHttp.ts).
    const escaped = target.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
    const req = http.request({ host: '127.0.0.1', port: server.port, path: escaped, method, headers, agent }, (res) => {
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.destroy(); // the event stream never ends by itself
        return resolve({ status: res.statusCode!, body: '', stream: true });
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), stream: false }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Headers a browser, a proxy or an attacker might send; usually the right ones. */
function randomHeaders(random: Random, server: RunningServer): Record<string, string> {
  const host = `127.0.0.1:${server.port}`;
  const headers: Record<string, string> = {
    host: random.next() < 0.85 ? pick(random, [host, `localhost:${server.port}`]) : pick(random, ['evil.example', `127.0.0.1:${server.port + 1}`, 'localhost', `${host}.evil.example`, '[::1]']),
  };
  const token = random.next();
  if (token < 0.8) headers['x-facet-token'] = server.token;
  else if (token < 0.9) headers['x-facet-token'] = pick(random, ['', 'x'.repeat(server.token.length), server.token.slice(1), `${server.token} `]);
  const type = random.next();
  if (type < 0.85) headers['content-type'] = 'application/json';
  else if (type < 0.95) headers['content-type'] = pick(random, ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'multipart/form-data']);
  if (random.next() < 0.1) headers.origin = pick(random, [`http://${host}`, 'https://evil.example', 'null', 'file://']);
  if (random.next() < 0.05) headers['sec-fetch-site'] = pick(random, ['cross-site', 'same-site', 'same-origin', 'none']);
  if (random.next() < 0.03) headers.cookie = pick(random, ['facet_media=forged', '__proto__=1', 'a'.repeat(4000)]);
  return headers;
}

/** A JSON body, or text that is almost JSON (NaN, trailing junk, truncation, another encoding). */
function randomBody(random: Random, method: string): string | undefined {
  const plain = plausibleRequest(method, random);
  const value = withoutDeliberateDeletion(method, random.next() < 0.8 ? mutate(plain, random) : plain);
  const text = JSON.stringify(value) ?? 'undefined';
  switch (random.int(14)) {
    case 0: return undefined;
    case 1: return text.replace(/-?\d+(\.\d+)?/u, pick(random, ['NaN', 'Infinity', '-Infinity', '1e99999', '0x10', '01']));
    case 2: return text.slice(0, Math.max(0, text.length - 1 - random.int(5)));
    case 3: return `${text}${pick(random, ['}', ',', ' garbage', '\u0000', '\ufeff'])}`;
    case 4: return `\ufeff${text}`;
    case 5: return random.next() < 0.1 ? JSON.stringify({ x: 'y'.repeat((1 << 20) + 10) }) : '['.repeat(50_000) + ']'.repeat(50_000);
    default: return text;
  }
}

function randomTarget(random: Random): string {
  const roll = random.next();
  if (roll < 0.8) return `/api/${randomMethod(random)}`;
  if (roll < 0.9) return `/media/${pick(random, ['face/1', 'face/0', 'face/-1', 'face/99999999999999999999', 'photo/1?v=x', 'library/1/p0.jpg', 'library/1/../../etc/passwd', 'library/1/%2e%2e/%2e%2e/secret', '%00', 'face/1%00.jpg'])}`;
  return pick(random, ['/', '/index.html', '/assets/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/api', '/api/', '/x?__proto__[polluted]=1', `/${'a'.repeat(5000)}`, '//evil.example/', '/\\evil']);
}

test(`${HTTP_REQUESTS + RAW_REQUESTS} HTTP and ${IPC_REQUESTS} IPC fuzzed requests: no crash, refused ones change nothing`, async (t) => {
  const staticDir = path.join(dir, 'dist');
  mkdirSync(staticDir);
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Facet</title>');
  const { api } = createTestApi({ store });
  const server = await startHttpServer({ api, staticDir });
  t.after(() => server.close());
  const random = new Random(0xfacade);
  const ledger = new Ledger();
  const started = performance.now();
  const statuses = new Map<number, number>();
  // A connection per request: the server may close one after refusing a request whose body it did not read.
  const agent = new http.Agent({ keepAlive: false, maxSockets: 1 });
  t.after(() => agent.destroy());

  for (let i = 0; i < HTTP_REQUESTS; i++) {
    const target = randomTarget(random);
    const method = random.next() < 0.8 ? 'POST' : pick(random, ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE']);
    const body = method === 'GET' || method === 'HEAD' ? undefined : randomBody(random, target.slice('/api/'.length));
    const reply = await send(server, agent, target, method, randomHeaders(random, server), body);
    statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
    const result = target.startsWith('/api/') && !reply.stream && reply.body.startsWith('{') ? (JSON.parse(reply.body) as ApiResult<unknown>) : undefined;
    assert.notEqual(reply.status, 500, `${method} ${target.slice(0, 100)} ${body?.slice(0, 200)}: ${reply.body.slice(0, 300)}`);
    ledger.after(`${method} ${target} ${body?.slice(0, 200)}`, result ?? (reply.status < 300 ? { ok: true, value: null } : undefined));
  }

  const httpSeconds = (performance.now() - started) / 1000;
  const raw = await rawRequests(server, RAW_REQUESTS, random);
  ledger.after('raw HTTP', undefined);

  // IPC: the one channel's handler, as Electron would call it, with trusted and untrusted senders.
  const handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike = { handle: (channel, listener) => void handlers.set(channel, listener), removeHandler: (channel) => void handlers.delete(channel) };
  t.after(registerIpc(ipcMain, api, () => []));
  const invoke = handlers.get(IPC_CHANNEL)!;
  for (let i = 0; i < IPC_REQUESTS; i++) {
    const url = random.next() < 0.8 ? `${APP_ORIGIN}/index.html` : pick(random, ['https://evil.example/', 'file:///tmp/x.html', 'facet-app://evil/', 'about:blank', null]);
    const method = randomMethod(random);
    const request = withoutDeliberateDeletion(method, random.next() < 0.8 ? mutate(plausibleRequest(method, random), random) : random.next() < 0.5 ? randomValue(random) : deeplyNested(10_000));
    const args = random.next() < 0.9 ? [method, request] : Array.from({ length: random.int(4) }, () => randomValue(random));
    const result = (await invoke({ senderFrame: url === null ? null : { url }, sender: { id: 1 } }, ...args)) as ApiResult<unknown>;
    assert.equal(typeof result.ok, 'boolean', 'every IPC call is answered with a result value');
    if (url !== `${APP_ORIGIN}/index.html`) assert.equal(result.ok, false, `a call from ${url} was refused`);
    ledger.after(`IPC ${preview(args)}`, result);
  }

  assert.equal((await send(server, agent, '/api/people.list', 'POST', { host: `127.0.0.1:${server.port}`, 'x-facet-token': server.token, 'content-type': 'application/json' }, '{}')).status, 200, 'the server still answers');
  assert.deepEqual(ledger.internal, [], 'no request failed inside the server');
  assert.equal(({} as Record<string, unknown>)[POLLUTION_KEY], undefined, 'Object.prototype was not polluted');
  assert.deepEqual(databaseProblems(store), []);
  const total = HTTP_REQUESTS + raw + IPC_REQUESTS;
  tally('requestsFuzzed', total, 'HTTP, raw HTTP and IPC');
  tally('itemsLost', ledger.lost, 'refused API requests'); // 0 here: any loss failed the test where it happened
  console.log(`fuzz: ${total} requests in ${((performance.now() - started) / 1000).toFixed(1)} s (HTTP ${httpSeconds.toFixed(1)} s; ${ledger.refused} refused, ${ledger.accepted} accepted); HTTP statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
});
