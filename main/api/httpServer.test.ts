import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { startHttpServer, statusOf, type RunningServer } from './httpServer.ts';
import { createTestApi, seedLibrary } from './testing.ts';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(server: RunningServer, target: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: server.port, path: target, method: options.method ?? 'GET',
      headers: { host: `127.0.0.1:${server.port}`, ...options.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const SECRET = 'top secret, outside every library folder';

async function setUp(t: TestContext) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-http-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const staticDir = path.join(dir, 'dist');
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Facet</title>');
  writeFileSync(path.join(staticDir, 'assets', 'app-123.js'), 'console.log(1)');
  const library = path.join(dir, 'library');
  mkdirSync(library);
  await sharp({ create: { width: 8, height: 6, channels: 3, background: '#808080' } }).jpeg().toFile(path.join(library, 'a.jpg'));
  writeFileSync(path.join(dir, 'secret.jpg'), SECRET);
  writeFileSync(path.join(dir, 'secret.txt'), SECRET);
  symlinkSync(path.join(dir, 'secret.jpg'), path.join(library, 'link.jpg'));
  const { api, store } = createTestApi();
  const seeded = seedLibrary(store);
  const root = store.roots.add(library);
  const photoId = store.photos.upsert({ rootId: root.id, path: path.join(library, 'a.jpg'), size: 1, mtimeMs: 1, contentHash: 'abc', width: 8, height: 6 }).id;
  const linkedId = store.photos.upsert({ rootId: root.id, path: path.join(library, 'link.jpg'), size: 1, mtimeMs: 1, contentHash: 'def' }).id;
  const server = await startHttpServer({ api, staticDir });
  t.after(() => server.close());
  const auth = { 'x-facet-token': server.token, 'content-type': 'application/json' };
  return { server, store, seeded, root, photoId, linkedId, auth };
}

test('the server binds 127.0.0.1 and prints a URL carrying the token in the fragment', async (t) => {
  const { server } = await setUp(t);
  assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/#token=[A-Za-z0-9_-]{40,}$`));
  const reply = await request(server, '/');
  assert.equal(reply.status, 200);
  assert.match(reply.headers['content-security-policy'] as string, /script-src 'self'/);
  assert.equal(reply.headers['x-frame-options'], 'DENY');
});

test('every API call needs the token', async (t) => {
  const { server, auth } = await setUp(t);
  const body = JSON.stringify({});
  assert.equal((await request(server, '/api/people.list', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status, 401);
  assert.equal((await request(server, '/api/people.list', { method: 'POST', headers: { ...auth, 'x-facet-token': 'x'.repeat(43) }, body })).status, 401);
  assert.equal((await request(server, '/api/events', { headers: { 'x-facet-token': 'wrong' } })).status, 401);
  const ok = await request(server, '/api/people.list', { method: 'POST', headers: auth, body });
  assert.equal(ok.status, 200);
  assert.equal(JSON.parse(ok.body).ok, true);
});

test('a foreign Host (DNS rebinding), Origin or cross-site fetch is refused, token or not', async (t) => {
  const { server, auth } = await setUp(t);
  const post = (headers: Record<string, string>) => request(server, '/api/people.list', { method: 'POST', headers: { ...auth, ...headers }, body: '{}' });
  assert.equal((await post({ host: `evil.example:${server.port}` })).status, 403);
  assert.equal((await post({ host: `127.0.0.1:${server.port + 1}` })).status, 403);
  assert.equal((await post({ host: '127.0.0.1' })).status, 403);
  assert.equal((await post({ origin: 'http://evil.example' })).status, 403);
  assert.equal((await post({ origin: `http://127.0.0.1:${server.port}.evil.example` })).status, 403);
  assert.equal((await post({ 'sec-fetch-site': 'cross-site' })).status, 403);
  assert.equal((await request(server, '/', { headers: { host: 'evil.example' } })).status, 403);
  assert.equal((await post({ origin: `http://localhost:${server.port}`, host: `localhost:${server.port}`, 'sec-fetch-site': 'same-origin' })).status, 200);
});

test('malformed requests are refused with a reason and change nothing', async (t) => {
  const { server, store, auth } = await setUp(t);
  const before = store.persons.list().length;
  const faceId = store.faces.list()[0]!.id;
  const cases: Array<[Record<string, string>, string, number]> = [
    [{ ...auth, 'content-type': 'text/plain' }, JSON.stringify({ faceIds: [faceId], name: 'X' }), 415],
    [auth, '{"faceIds": [', 400],
    [auth, JSON.stringify({ faceIds: [faceId], name: 7 }), 400],
    [auth, JSON.stringify({ faceIds: [faceId], name: 'X', extra: 1 }), 400],
    [auth, JSON.stringify({ faceIds: 'all', name: 'X' }), 400],
  ];
  for (const [headers, body, status] of cases) {
    const reply = await request(server, '/api/faces.assign', { method: 'POST', headers, body });
    assert.equal(reply.status, status, body);
    assert.equal(JSON.parse(reply.body).ok, false);
  }
  const named = JSON.parse((await request(server, '/api/faces.assign', { method: 'POST', headers: auth, body: JSON.stringify({ faceIds: [faceId], name: 7 }) })).body);
  assert.equal(named.error.field, 'name');
  const huge = await request(server, '/api/faces.assign', { method: 'POST', headers: auth, body: JSON.stringify({ name: 'x'.repeat(2 << 20) }) });
  assert.equal(huge.status, 413);
  assert.equal((await request(server, '/api/faces.assign', { method: 'GET', headers: auth })).status, 405);
  assert.equal((await request(server, '/api/no.such', { method: 'POST', headers: auth, body: '{}' })).status, 404);
  assert.equal(store.persons.list().length, before);
  assert.equal(store.assignments.get(faceId), undefined);
});

test('path traversal, encoded variants, absolute paths and symlinks out of a folder are refused', async (t) => {
  const { server, root, linkedId, auth } = await setUp(t);
  const session = await request(server, '/api/session', { method: 'POST', headers: auth });
  const cookie = (session.headers['set-cookie']![0]!).split(';')[0]!;
  const targets = [
    '/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/assets/../../secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt', '/%252e%252e/secret.txt', '/..%5csecret.txt', '/%00index.html', '/%c0%ae%c0%ae/secret.txt',
    `/media/library/${root.id}/../secret.jpg`, `/media/library/${root.id}/..%2fsecret.jpg`, `/media/library/${root.id}/%2e%2e/secret.jpg`,
    `/media/library/${root.id}/%252e%252e%252fsecret.jpg`, `/media/library/${root.id}/link.jpg`,
    `/media/library/${root.id}//${path.join(path.dirname(path.dirname(server.token)), 'tmp', 'secret.jpg')}`,
    `/media/library/${root.id}/C:%5csecret.jpg`, `/media/photo/${linkedId}`, '/media/photo/1e3', '/media/photo/-1',
    'http://127.0.0.1/secret.txt',
  ];
  for (const target of targets) {
    const reply = await request(server, target, { headers: { cookie } });
    assert.ok([400, 403, 404].includes(reply.status), `${target} answered ${reply.status}`);
    assert.ok(!reply.body.includes(SECRET), `${target} leaked the secret`);
  }
});

test('media need the session cookie; thumbnails revalidate by ETag, photos of the current version are immutable', async (t) => {
  const { server, seeded, photoId, root, auth } = await setUp(t);
  const faceId = seeded.faces.ann[0]!;
  assert.equal((await request(server, `/media/face/${faceId}`)).status, 401);
  const session = await request(server, '/api/session', { method: 'POST', headers: auth });
  const setCookie = session.headers['set-cookie']![0]!;
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  const cookie = setCookie.split(';')[0]!;
  const face = await request(server, `/media/face/${faceId}`, { headers: { cookie } });
  assert.equal(face.status, 200);
  assert.equal(face.headers['content-type'], 'image/jpeg');
  const again = await request(server, `/media/face/${faceId}`, { headers: { cookie, 'if-none-match': face.headers.etag as string } });
  assert.equal(again.status, 304);
  const photo = await request(server, `/media/photo/${photoId}?v=abc`, { headers: { cookie } });
  assert.equal(photo.status, 200);
  assert.match(photo.headers['cache-control'] as string, /immutable/);
  const stale = await request(server, `/media/photo/${photoId}?v=old`, { headers: { cookie } });
  assert.match(stale.headers['cache-control'] as string, /no-cache/);
  // There is no route by path (issue #17.1): a file is reachable only as a photo in the database, by id.
  assert.equal((await request(server, `/media/library/${root.id}/a.jpg`, { headers: { cookie } })).status, 404);
});

test('media serve only photos the scan read: a file in a library folder that failed or is not in the database is not served', async (t) => {
  const { server, store, root, auth } = await setUp(t);
  const session = await request(server, '/api/session', { method: 'POST', headers: auth });
  const cookie = (session.headers['set-cookie']![0]!).split(';')[0]!;
  const library = store.roots.get(root.id)!.path;
  writeFileSync(path.join(library, 'notes.jpg'), SECRET);
  const failedId = store.photos.upsert({ rootId: root.id, path: path.join(library, 'notes.jpg'), size: 1, mtimeMs: 1, contentHash: 'ghi', status: 'failed', error: 'not an image' }).id;
  for (const target of [`/media/photo/${failedId}`, `/media/library/${root.id}/notes.jpg`, `/media/library/${root.id}/a.jpg`]) {
    const reply = await request(server, target, { headers: { cookie } });
    assert.equal(reply.status, 404, target);
    assert.ok(!reply.body.includes(SECRET), `${target} leaked the file`);
  }
});

test('progress events stream as Server-Sent Events to a client with the token', async (t) => {
  const { server } = await setUp(t);
  const received = await new Promise<string>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: { host: `127.0.0.1:${server.port}`, 'x-facet-token': server.token } }, (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes(': connected')) {
          void request(server, '/api/libraries.startScan', { method: 'POST', headers: { 'x-facet-token': server.token, 'content-type': 'application/json' }, body: '{}' }).catch(() => undefined);
        }
        const event = text.split('\n').find((line) => line.startsWith('data: '));
        if (event) {
          req.destroy();
          resolve(event);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
  const event = JSON.parse(received.slice('data: '.length));
  assert.equal(event.topic, 'scan');
  assert.equal(event.status.state, 'running');
});

test('failed calls map to HTTP statuses a client can act on: a full disk is 507, not 500', () => {
  const failed = (name: string) => statusOf({ ok: false, error: { name, message: 'x' } });
  assert.equal(failed('ValidationError'), 400);
  assert.equal(failed('NotFoundError'), 404);
  assert.equal(failed('BusyError'), 409);
  assert.equal(failed('DiskFullError'), 507);
  assert.equal(failed('InternalError'), 500);
  assert.equal(statusOf({ ok: true, value: 1 }), 200);
});
