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
 * - The built renderer and media are served only from renderer/dist and, by id, the photos in the database.
 * - Limits: a declared Content-Length over the method's limit is refused (413) before a byte of the body is read;
 *   a body that grows past it is answered 413 at once and the connection closed; headers must arrive within
 *   30 s and a body within 30 s (search.byImage, which carries a photo: 120 s), else 408 and close; at most
 *   64 connections are open at once (a browser tab holds about 7).
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
  /** Tests shorten these; defaults in DEFAULT_LIMITS. */
  limits?: Partial<ServerLimits>;
}

export interface ServerLimits {
  /** Headers must be complete within this (ms). */
  headersTimeoutMs: number;
  /** An API call's body must be complete within this (ms)... */
  bodyTimeoutMs: number;
  /** ...or this for search.byImage, which carries a photo. */
  imageBodyTimeoutMs: number;
  /** Connections open at once; more are closed as they arrive. */
  maxConnections: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  imageBodyTimeoutMs: 120_000,
  maxConnections: 64,
};

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

class BodyRefused extends Error {
  constructor(readonly status: 408 | 413, message: string) {
    super(message);
  }
}

/**
 * The body, read until `limit` bytes or `timeoutMs`; past either, a BodyRefused (the caller answers and closes,
 * without reading the rest: a client sending 200 MB is not waited for).
 */
function readBody(req: http.IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: BodyRefused) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError);
      if (error) {
        req.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(() => done(new BodyRefused(408, `the request body did not arrive within ${timeoutMs / 1000} s`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done(new BodyRefused(413, `request body too large (over ${limit} bytes)`));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/** Answers and closes the connection: the rest of the request is never read. */
function refuseAndClose(req: http.IncomingMessage, res: http.ServerResponse, status: number, message: string): void {
  res.shouldKeepAlive = false;
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(JSON.stringify({ ok: false, error: { name: status === 413 ? 'ValidationError' : 'RequestTimeoutError', message } } satisfies ApiResult<never>), () => {
    req.socket.destroySoon();
  });
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const { api, staticDir } = options;
  const token = options.token ?? randomBytes(32).toString('base64url');
  let port = 0;
  const guard = new RequestGuard(() => port, token, randomBytes(32).toString('base64url'));
  const streams = new Set<http.ServerResponse>();
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };

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
    const byImage = method === 'search.byImage';
    const limit = byImage ? MAX_IMAGE_BODY_BYTES : MAX_BODY_BYTES;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return refuseAndClose(req, res, 413, `request body too large (declared ${declared} bytes, limit ${limit})`);
    let body: Buffer;
    try {
      body = await readBody(req, limit, byImage ? limits.imageBodyTimeoutMs : limits.bodyTimeoutMs);
    } catch (error) {
      if (error instanceof BodyRefused) return refuseAndClose(req, res, error.status, error.message);
      throw error;
    }
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

  // Timeouts are checked every second rather than Node's default 30 s, so a 30 s limit means about 30 s.
  const server = http.createServer({ connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs) }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A client that hung up mid-request is not a failure of the server: nothing to answer, nothing to log.
      if (req.destroyed && (error as NodeJS.ErrnoException).code === 'ECONNRESET') return void res.destroy();
      console.error('facet serve: request failed:', error);
      if (!res.headersSent) refusal(res, 500, 'InternalError', (error as Error).message);
      else res.destroy();
    });
  });
  server.headersTimeout = limits.headersTimeoutMs;
  // Node's own whole-request limit is only the backstop: bodies are timed per method in readBody.
  server.requestTimeout = Math.max(limits.bodyTimeoutMs, limits.imageBodyTimeoutMs) + limits.headersTimeoutMs;
  server.maxConnections = limits.maxConnections;
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
