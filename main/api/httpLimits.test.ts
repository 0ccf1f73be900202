/**
 * The HTTP bridge's limits (issue #17, finding 5), over raw sockets so that what the client sends and when is
 * exact: a declared oversize body is refused before it is sent, a body growing past the limit is cut off with 413
 * and a closed connection, a slow body gets 408 and a closed connection, and connections past the cap are closed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { startHttpServer, type RunningServer, type ServerLimits } from './httpServer.ts';
import { createTestApi } from './testing.ts';

async function setUp(t: TestContext, limits: Partial<ServerLimits> = {}): Promise<RunningServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-limits-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'dist'));
  writeFileSync(path.join(dir, 'dist', 'index.html'), '<!doctype html>');
  const { api } = createTestApi();
  const server = await startHttpServer({ api, staticDir: path.join(dir, 'dist'), limits });
  t.after(() => server.close());
  return server;
}

interface Exchange {
  socket: net.Socket;
  /** Everything the server sent, resolved when it closes the connection. */
  closed: Promise<string>;
  /** Resolves with the first bytes of the reply. */
  firstReply: Promise<string>;
}

function connect(server: RunningServer): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => {
      let text = '';
      let first: (value: string) => void;
      const firstReply = new Promise<string>((r) => { first = r; });
      const closed = new Promise<string>((r) => {
        socket.on('data', (chunk) => { text += chunk.toString('latin1'); first(text); });
        socket.on('close', () => r(text));
        socket.on('error', () => undefined); // a reset after the reply is the point of some tests
      });
      resolve({ socket, closed, firstReply });
    });
    socket.once('error', reject);
  });
}

function head(server: RunningServer, method: string, extra: string): string {
  return `POST /api/${method} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nx-facet-token: ${server.token}\r\ncontent-type: application/json\r\n${extra}\r\n`;
}

test('a declared Content-Length over the limit is refused before the body is sent, and the connection closed', async (t) => {
  const server = await setUp(t);
  const { socket, closed } = await connect(server);
  const started = performance.now();
  socket.write(head(server, 'people.list', `content-length: ${200 * 1024 * 1024}\r\n`));
  const reply = await closed;
  assert.match(reply, /^HTTP\/1\.1 413 /u);
  assert.match(reply, /declared 209715200 bytes/u);
  assert.ok(performance.now() - started < 5000, 'answered at once, not after a 200 MB body');
});

test('a chunked body growing past the limit is answered 413 and cut off without reading the rest', async (t) => {
  const server = await setUp(t);
  const { socket, closed } = await connect(server);
  socket.write(head(server, 'people.list', 'transfer-encoding: chunked\r\n'));
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  let sent = 0;
  let open = true;
  socket.on('close', () => { open = false; });
  // Up to 200 MB, in 256 kB chunks, for as long as the server keeps the connection open.
  while (open && sent < 200 * 1024 * 1024) {
    const ok = socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n');
    sent += chunk.length;
    if (!ok) await new Promise((resolve) => { socket.once('drain', resolve); socket.once('close', resolve); });
  }
  const reply = await closed;
  assert.match(reply, /^HTTP\/1\.1 413 /u);
  assert.ok(sent < 50 * 1024 * 1024, `the server stopped reading early (client got ${(sent / 1e6).toFixed(0)} MB out)`);
});

test('a body that does not arrive in time is answered 408 and the connection closed', async (t) => {
  const server = await setUp(t, { bodyTimeoutMs: 300 });
  const { socket, closed } = await connect(server);
  const started = performance.now();
  socket.write(head(server, 'people.list', 'content-length: 100\r\n') + '{"a":');
  const reply = await closed;
  assert.match(reply, /^HTTP\/1\.1 408 /u);
  const ms = performance.now() - started;
  assert.ok(ms >= 250 && ms < 5000, `closed after ${ms.toFixed(0)} ms`);
});

test('headers that do not arrive in time end the connection', async (t) => {
  const server = await setUp(t, { headersTimeoutMs: 300 });
  const { socket, closed } = await connect(server);
  socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`);
  const interval = setInterval(() => socket.write('x-slow: 1\r\n'), 50);
  t.after(() => clearInterval(interval));
  const reply = await Promise.race([closed, new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 40_000).unref())]);
  clearInterval(interval);
  assert.notEqual(reply, 'still open');
  assert.match(reply, /^(HTTP\/1\.1 408 |$)/u);
});

test('connections past the cap are closed as they arrive', async (t) => {
  const server = await setUp(t, { maxConnections: 3 });
  const held = await Promise.all([connect(server), connect(server), connect(server)]);
  t.after(() => { for (const exchange of held) exchange.socket.destroy(); });
  const extra = await connect(server);
  extra.socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
  const reply = await Promise.race([extra.closed, new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 5000).unref())]);
  assert.equal(reply, '', 'closed without an answer');
  // Once one closes, a new one is served.
  held[0]!.socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const next = await connect(server);
  next.socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nconnection: close\r\n\r\n`);
  assert.match(await next.closed, /^HTTP\/1\.1 200 /u);
});
