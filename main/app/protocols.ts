/**
 * The two custom protocols, as Fetch-style handlers (Request in, Response out) that Electron's protocol.handle
 * takes as they are, and that tests call in plain Node:
 *   facet-app://app/...      the built renderer, from renderer/dist only
 *   facet-media://media/...  face thumbnails and photos, from the database and the library folders only
 * Path checks are those of the HTTP bridge (main/api/safePath.ts, main/api/media.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { serveMedia } from '../api/media.ts';
import { resolveInside, safeSegments } from '../api/safePath.ts';
import type { Store } from '../store/index.ts';
import { securityHeaders } from './windowConfig.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2', '.ico': 'image/x-icon',
};

/** A copy in a plain ArrayBuffer: what every Fetch implementation (Node's, Electron's) takes as a body. */
function toBody(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

const refuse = (status: number, text: string) => new Response(text, { status, headers: securityHeaders('text/plain; charset=utf-8') });

/** The part of the URL after host, still encoded (URL parsing would resolve dot segments before we see them). */
function rawPath(url: string, host: string): string | undefined {
  const match = /^[a-z-]+:\/\/([^/?#]*)([^?#]*)/iu.exec(url);
  return match && match[1] === host ? match[2] : undefined;
}

export function appProtocolHandler(staticDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET') return refuse(405, 'method not allowed');
    const route = rawPath(request.url, 'app');
    if (route === undefined) return refuse(404, 'unknown host');
    let file: string | undefined;
    try {
      file = await resolveInside(staticDir, route === '' || route === '/' ? ['index.html'] : safeSegments(route));
    } catch {
      return refuse(400, 'refused path');
    }
    if (!file) return refuse(404, 'not found');
    return new Response(toBody(await readFile(file)), { status: 200, headers: securityHeaders(TYPES[path.extname(file)] ?? 'application/octet-stream') });
  };
}

export function mediaProtocolHandler(store: Store): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET') return refuse(405, 'method not allowed');
    const route = rawPath(request.url, 'media');
    if (route === undefined) return refuse(404, 'unknown host');
    const query = new URL(request.url).searchParams;
    const media = await serveMedia(store, route, query, request.headers.get('if-none-match') ?? undefined);
    return new Response(media.status === 304 || !media.body ? null : toBody(media.body), { status: media.status, headers: { ...media.headers, 'x-content-type-options': 'nosniff' } });
  };
}
