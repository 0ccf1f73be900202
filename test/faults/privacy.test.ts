/**
 * Nothing leaves this machine: a scan (models loading in a worker thread), a clustering and a `facet serve`
 * session answering a browser's calls run with a preload that records every network destination tried
 * (netWatch.mjs). The only one allowed is 127.0.0.1, and none is tried at all except by serve's own listener.
 * The watch itself is first shown to catch (and stop) an attempt to reach out.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FACET_BIN, REPO_ROOT, runFacet } from './cli.ts';
import { DEMO_DIR } from './hostileFiles.ts';

const PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'netWatch.mjs');

interface Attempt {
  kind: string;
  destination: string;
  local: boolean;
  thread: number;
}

let dir: string;
let log: string;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-faults-privacy-'));
  log = path.join(dir, 'network.jsonl');
});

after(() => fs.rm(dir, { recursive: true, force: true }));

function attempts(): Attempt[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Attempt);
}

test('the network watch catches and stops a process that reaches out', () => {
  const probe = path.join(dir, 'probe.jsonl');
  const script = `
    const net = require('node:net'); const dns = require('node:dns');
    net.connect(80, '192.0.2.1').on('error', () => {});
    dns.lookup('example.com', () => {});
    fetch('http://192.0.2.1/').catch(() => {});
    setTimeout(() => {}, 200);`;
  const result = spawnSync(process.execPath, ['--import', PRELOAD, '-e', script], { env: { ...process.env, FACET_NET_LOG: probe }, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const seen = readFileSync(probe, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Attempt).filter((a) => !a.local);
  assert.deepEqual(seen.map((a) => a.kind).sort(), ['dns-lookup', 'fetch', 'tcp'], JSON.stringify(seen));
});

async function call(port: number, token: string, target: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-facet-token': token, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test('scan, cluster and a serve session try no destination but 127.0.0.1', async () => {
  const library = path.join(dir, 'library');
  await fs.mkdir(library);
  for (const sample of ['sample1.jpg', 'sample3.jpg']) {
    await sharp(path.join(DEMO_DIR, sample)).resize({ width: 960 }).jpeg().toFile(path.join(library, sample));
  }
  const db = path.join(dir, 'facet.db');
  const options = { nodeArgs: ['--import', PRELOAD], db, env: { FACET_NET_LOG: log } };
  const scan = await runFacet(['scan', library, '--workers', '1', '--json'], options);
  assert.equal(scan.code, 0, scan.stderr);
  assert.ok(JSON.parse(scan.stdout).faces > 0, 'the scan found faces');
  const cluster = await runFacet(['cluster', '--json'], options);
  assert.equal(cluster.code, 0, cluster.stderr);

  const serve = spawn(process.execPath, ['--import', PRELOAD, FACET_BIN, 'serve', '--json', '--port', '0', '--workers', '0'], {
    cwd: REPO_ROOT, env: { ...process.env, FACET_DB: db, FACET_NET_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const [first] = (await once(serve.stdout.setEncoding('utf8'), 'data')) as [string];
    const { url, port } = JSON.parse(first.split('\n')[0]!) as { url: string; port: number };
    const token = new URL(url).hash.slice('#token='.length);
    for (const [target, body] of [
      ['/', undefined], ['/api/people.list', {}], ['/api/settings.get', {}], ['/api/faces.list', { ref: { kind: 'cluster', id: 1 } }],
      ['/api/photo.get', { photoId: 1 }], ['/api/search.byFace', { faceId: 1 }], ['/api/cluster.run', {}], ['/media/face/1', undefined],
    ] as const) {
      assert.ok((await call(port, token, target, body)) < 500, target);
    }
  } finally {
    serve.kill('SIGTERM');
    await once(serve, 'close');
  }

  const all = attempts();
  assert.ok(all.some((a) => a.kind === 'watching' && a.thread > 0), 'the watch also ran in the scan\'s worker thread');
  const outside = all.filter((a) => !a.local);
  assert.deepEqual(outside, [], 'destinations off this machine');
  // Unix sockets (tsx's channel to its parent) never leave the machine; everything else must name 127.0.0.1.
  const network = all.filter((a) => a.kind !== 'watching' && a.kind !== 'unix-socket');
  assert.ok(network.every((a) => /^(127\.0\.0\.1|localhost)(:|$)/.test(a.destination)), JSON.stringify(network));
  console.log(`privacy: ${all.filter((a) => a.kind === 'watching').length} threads watched; ${network.length} network attempts, all to 127.0.0.1; none outside`);
});
