/**
 * Malformed HTTP on a raw socket, below what an HTTP client lets one send: broken request lines, bad header
 * bytes, conflicting lengths, smuggling attempts, endless headers. The server must answer or hang up, and live on.
 */
import net from 'node:net';
import type { RunningServer } from '../../main/api/httpServer.ts';
import type { Random } from '../../main/core/random.ts';
import { pick } from './fuzzRequests.ts';

/** How long a connection that the server keeps waiting on (an unfinished request) is given. */
const PATIENCE_MS = 200;
const AT_ONCE = 25;

function payloads(port: number, token: string, random: Random): string {
  const host = `Host: 127.0.0.1:${port}\r\n`;
  const auth = `x-facet-token: ${token}\r\ncontent-type: application/json\r\n`;
  return pick(random, [
    'GARBAGE\r\n\r\n',
    '\u0000\u0001\u0002\r\n\r\n',
    `GET / HTTP/9.9\r\n${host}\r\n`,
    `GET /${'a'.repeat(100_000)} HTTP/1.1\r\n${host}\r\n`,
    `POST /api/app.info HTTP/1.1\r\n${host}${auth}Content-Length: -1\r\n\r\n{}`,
    `POST /api/app.info HTTP/1.1\r\n${host}${auth}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
    `POST /api/app.info HTTP/1.1\r\n${host}${auth}Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n0\r\n\r\n`,
    `POST /api/people.list HTTP/1.1\r\n${host}${auth}Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`,
    `POST /api/people.list HTTP/1.1\r\n${host}${auth}Content-Length: 100\r\n\r\n{}`,
    `GET /api/people.list HTTP/1.1\r\n${host}X-Bad\u0001Header: 1\r\n\r\n`,
    `GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n`,
    `GET / HTTP/1.1\r\n${host}${'X-Fill: y\r\n'.repeat(3000)}\r\n`,
    `POST /api/people.list HTTP/1.1\r\n${host}${auth}Content-Length: 2\r\n\r\n{}POST /api/settings.forgetAllFaceData HTTP/1.1\r\n${host}Content-Length: 20\r\n\r\n{"confirm":"forget"}`,
    `GET http://evil.example/ HTTP/1.1\r\n${host}\r\n`,
    `CONNECT evil.example:443 HTTP/1.1\r\n${host}\r\n`,
    `GET / HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
    `GET / HTTP/1.1\n${host}\n`,
    `GET /\u00ff\u00fe HTTP/1.1\r\n${host}\r\n`,
    `POST /api/faces.assign HTTP/1.1\r\n${host}${auth}Content-Length: 10`,
  ]);
}

/** Sends `count` malformed requests, AT_ONCE at a time; resolves with how many were sent. */
export async function rawRequests(server: RunningServer, count: number, random: Random): Promise<number> {
  const one = (payload: string) => new Promise<void>((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1');
    const timer = setTimeout(() => socket.destroy(), PATIENCE_MS);
    socket.on('error', () => undefined); // a reset is one of the answers allowed
    socket.on('data', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end(payload);
  });
  for (let sent = 0; sent < count; sent += AT_ONCE) {
    await Promise.all(Array.from({ length: Math.min(AT_ONCE, count - sent) }, () => one(payloads(server.port, server.token, random))));
  }
  return count;
}
