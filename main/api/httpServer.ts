/**
 * The HTTP bridge for browser mode (`facet serve`): the same API as Electron's IPC, for a browser tab on
 * this machine only.
 *
 * - Binds 127.0.0.1, never another interface.
 * - A random token, handed over in the URL fragment (never sent in requests or logged by proxies), must come
 *   in the x-facet-token header of every API call; the browser then gets an HttpOnly, SameSite=Strict cookie
 *   that only unlocks media GETs (images cannot send headers).
 * - The Host header must name this server (127.0.0.1 or localhost with its port): a DNS-rebinding page, whose
 *   requests carry its own host name, is refused. An Origin or Sec-Fetch-Site from another site is refused.
 * - POST /api/<method> with a JSON body; GET /api/events streams ApiEvents as Server-Sent Events.
 * - The built renderer and media are served only from renderer/dist, the library folders and the database.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { TOKEN_HEADER, type ApiResult } from './contract.ts';
import type { Api } from './handlers.ts';
import { serveMedia } from './media.ts';
import { resolveInside, safeSegments } from './safePath.ts';
import { CONTENT_SECURITY_POLICY } from './securityPolicy.ts';

export interface HttpServerOptions {
  api: Api;
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer (index.html and assets/). */
  staticDir: string;
  /** Fixed token for tests; default: 32 random bytes. */
  token?: string;
}

export interface RunningServer {
  port: number;
  token: string;
  /** The address to open, token in the fragment. */
  url: string;
  close(): Promise<void>;
}

const MEDIA_COOKIE = 'facet_media';
const MAX_BODY_BYTES = 1 << 20;
/** search.byImage carries a photo: 20 MB of image is about 27 MB of base64. */
const MAX_IMAGE_BODY_BYTES = 30 << 20;

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
};

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given), b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** HTTP status for a failed call: the body says the rest. */
export function statusOf(result: ApiResult<unknown>): number {
  if (result.ok) return 200;
  switch (result.error.name) {
    case 'ValidationError': case 'RequestError': return 400;
    case 'UnknownMethodError': case 'NotFoundError': return 404;
    case 'ConflictError': case 'MergeConflictError': case 'ProtectedDataError': case 'BusyError': return 409;
    case 'DiskFullError': return 507; // Insufficient Storage: the user can act on it, unlike a 500
    default: return 500;
  }
}

export class RequestGuard {
  constructor(
    private readonly port: () => number,
    readonly token: string,
    readonly mediaSecret: string,
  ) {}

  #hosts(): string[] {
    return [`127.0.0.1:${this.port()}`, `localhost:${this.port()}`];
  }

  /** Why a request must be refused before it is looked at, or undefined. Applies to every request. */
  refuseOrigin(req: http.IncomingMessage): string | undefined {
    const host = req.headers.host;
    if (!host || !this.#hosts().includes(host.toLowerCase())) return `Host ${JSON.stringify(host ?? '')} is not this server`;
    const origin = req.headers.origin;
    if (origin !== undefined && !this.#hosts().map((h) => `http://${h}`).includes(origin.toLowerCase())) return `Origin ${origin} is not this server`;
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return `cross-site request (Sec-Fetch-Site: ${site})`;
    return undefined;
  }

  hasToken(req: http.IncomingMessage): boolean {
    const given = req.headers[TOKEN_HEADER];
    return sameSecret(Array.isArray(given) ? undefined : given, this.token);
  }

  hasMediaAccess(req: http.IncomingMessage): boolean {
    return this.hasToken(req) || sameSecret(cookie(req.headers.cookie, MEDIA_COOKIE), this.mediaSecret);
  }
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer): void {
  res.writeHead(status, { ...BASE_HEADERS, ...headers });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  send(res, status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra }, JSON.stringify(value));
}

function refusal(res: http.ServerResponse, status: number, name: string, message: string): void {
  sendJson(res, status, { ok: false, error: { name, message } } satisfies ApiResult<never>);
}

/** The body, or undefined when it is over `limit` (read to the end and dropped, so the reply reaches the client). */
async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? undefined : Buffer.concat(chunks);
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const { api, staticDir } = options;
  const token = options.token ?? randomBytes(32).toString('base64url');
  let port = 0;
  const guard = new RequestGuard(() => port, token, randomBytes(32).toString('base64url'));
  const streams = new Set<http.ServerResponse>();

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> {
    if (!guard.hasToken(req)) return refusal(res, 401, 'UnauthorizedError', `missing or wrong ${TOKEN_HEADER} header`);
    if (method === 'events' && req.method === 'GET') return openEventStream(res);
    if (method === 'session' && req.method === 'POST') {
      // Hands the browser the cookie that lets <img> load media.
      return sendJson(res, 200, { ok: true, value: {} }, {
        'set-cookie': `${MEDIA_COOKIE}=${guard.mediaSecret}; Path=/media/; HttpOnly; SameSite=Strict`,
      });
    }
    if (req.method !== 'POST') return refusal(res, 405, 'MethodNotAllowed', 'API calls are POST requests');
    if (!/^application\/json\b/iu.test(req.headers['content-type'] ?? '')) {
      return refusal(res, 415, 'ValidationError', 'the body must be JSON (content-type: application/json)');
    }
    const body = await readBody(req, method === 'search.byImage' ? MAX_IMAGE_BODY_BYTES : MAX_BODY_BYTES);
    if (!body) return refusal(res, 413, 'ValidationError', 'request body too large');
    let request: unknown;
    try {
      request = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return refusal(res, 400, 'ValidationError', 'the body is not valid JSON');
    }
    const result = await api.call(method, request);
    sendJson(res, statusOf(result), result);
  }

  function openEventStream(res: http.ServerResponse): void {
    res.writeHead(200, { ...BASE_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    streams.add(res);
    const unsubscribe = api.events.subscribe((event) => res.write(`data: ${JSON.stringify(event)}\n\n`));
    const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  }

  async function handleStatic(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { 'content-type': 'text/plain' }, 'method not allowed\n');
    let file: string | undefined;
    try {
      file = await resolveInside(staticDir, pathname === '/' ? ['index.html'] : safeSegments(pathname));
    } catch {
      return send(res, 400, { 'content-type': 'text/plain' }, 'refused path\n');
    }
    if (!file) return send(res, 404, { 'content-type': 'text/plain' }, 'not found\n');
    const extension = path.extname(file);
    const headers: Record<string, string> = {
      'content-type': STATIC_TYPES[extension] ?? 'application/octet-stream',
      // Vite puts a content hash in every asset name; index.html must always be fetched anew.
      'cache-control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    if (extension === '.html') headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
    send(res, 200, headers, req.method === 'HEAD' ? undefined : await readFile(file));
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const refused = guard.refuseOrigin(req);
    if (refused) return refusal(res, 403, 'ForbiddenError', refused);
    const rawUrl = req.url ?? '/';
    if (!rawUrl.startsWith('/')) return refusal(res, 400, 'ValidationError', 'absolute-form request targets are refused');
    const queryAt = rawUrl.indexOf('?');
    const pathname = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1));
    if (pathname.startsWith('/api/')) return handleApi(req, res, pathname.slice('/api/'.length));
    if (pathname.startsWith('/media/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { 'content-type': 'text/plain' }, 'method not allowed\n');
      if (!guard.hasMediaAccess(req)) return send(res, 401, { 'content-type': 'text/plain' }, 'no session\n');
      const ifNoneMatch = req.headers['if-none-match'];
      const media = await serveMedia(api.context.store, pathname.slice('/media/'.length), query, ifNoneMatch);
      return send(res, media.status, media.headers, req.method === 'HEAD' ? undefined : media.body);
    }
    return handleStatic(req, res, pathname);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A client that hung up mid-request is not a failure of the server: nothing to answer, nothing to log.
      if (req.destroyed && (error as NodeJS.ErrnoException).code === 'ECONNRESET') return void res.destroy();
      console.error('facet serve: request failed:', error);
      if (!res.headersSent) refusal(res, 500, 'InternalError', (error as Error).message);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
