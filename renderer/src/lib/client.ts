/**
 * The renderer's one way to Facet: a typed client over the contract, on one of two transports.
 * In Electron it rides on IPC through the preload's window.facet; in browser mode on HTTP to 127.0.0.1 with
 * the session token. Calls, results, errors and events are the same on both.
 */
import {
  MEDIA, TOKEN_HEADER,
  type ApiError, type ApiEvent, type ApiMethod, type ApiRequest, type ApiResponse, type ApiResult, type FacetBridge,
} from '../../../main/api/contract.ts';

export interface Transport {
  readonly kind: 'http' | 'ipc';
  invoke(method: string, request: unknown): Promise<ApiResult<unknown>>;
  /** Returns the function that unsubscribes. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
  /** Absolute URL of a media route such as "face/12". */
  mediaUrl(route: string): string;
  /** Resolves once media URLs work (browser mode: the media cookie is set). */
  ready(): Promise<void>;
}

/** A failed call, as thrown by FacetClient.call: the ApiError's name, message and field. */
export class ApiCallError extends Error {
  override readonly name: string;
  readonly field: string | undefined;
  readonly faceIds: readonly number[] | undefined;
  constructor(readonly method: string, error: ApiError) {
    super(error.message);
    this.name = error.name;
    this.field = error.field;
    this.faceIds = error.faceIds;
  }
}

export class FacetClient {
  constructor(readonly transport: Transport) {}

  /** Calls `method`; resolves with its response or rejects with ApiCallError. */
  async call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>> {
    const result = await this.transport.invoke(method, request);
    if (!result.ok) throw new ApiCallError(method, result.error);
    return result.value as ApiResponse<M>;
  }

  onEvent(listener: (event: ApiEvent) => void): () => void {
    return this.transport.subscribe(listener);
  }

  faceUrl(faceId: number): string {
    return this.transport.mediaUrl(MEDIA.face(faceId));
  }

  /** A video's frame at timeSeconds when given. */
  photoUrl(photoId: number, version: string, timeSeconds?: number): string {
    return this.transport.mediaUrl(MEDIA.photo(photoId, version, timeSeconds));
  }
}

// ---------- IPC (Electron) ----------

export function ipcTransport(bridge: FacetBridge): Transport {
  return {
    kind: 'ipc',
    invoke: (method, request) => bridge.invoke(method, request),
    subscribe: (listener) => bridge.onEvent(listener),
    mediaUrl: (route) => `facet-media://media/${route}`,
    ready: () => Promise.resolve(),
  };
}

// ---------- HTTP (browser mode) ----------

export interface HttpTransportOptions {
  /** e.g. "http://127.0.0.1:5123"; '' for the page's own origin. */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Delay before reconnecting a dropped event stream. */
  reconnectMs?: number;
}

/** Splits a Server-Sent Events buffer into complete events' data, returning what is left over. */
export function parseSse(buffer: string): { events: string[]; rest: string } {
  const events: string[] = [];
  const blocks = buffer.split(/\r?\n\r?\n/u);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    const data = block.split(/\r?\n/u).filter((line) => line.startsWith('data:')).map((line) => line.slice(5).replace(/^ /u, ''));
    if (data.length > 0) events.push(data.join('\n'));
  }
  return { events, rest };
}

export function httpTransport(options: HttpTransportOptions): Transport {
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const headers = { [TOKEN_HEADER]: options.token };
  let session: Promise<void> | undefined;

  const invoke = async (method: string, request: unknown): Promise<ApiResult<unknown>> => {
    let response: Response;
    try {
      response = await doFetch(`${options.baseUrl}/api/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(request ?? {}),
      });
    } catch (error) {
      return { ok: false, error: { name: 'NetworkError', message: `Facet is not reachable: ${(error as Error).message}` } };
    }
    try {
      return (await response.json()) as ApiResult<unknown>;
    } catch {
      return { ok: false, error: { name: 'NetworkError', message: `HTTP ${response.status}: the answer is not JSON` } };
    }
  };

  const subscribe = (listener: (event: ApiEvent) => void): (() => void) => {
    // EventSource cannot send the token header, so the stream is read from fetch.
    const controller = new AbortController();
    const run = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        try {
          const response = await doFetch(`${options.baseUrl}/api/events`, { headers, signal: controller.signal });
          if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            const parsed = parseSse(buffer + value);
            buffer = parsed.rest;
            for (const data of parsed.events) listener(JSON.parse(data) as ApiEvent);
          }
        } catch {
          // Dropped or refused: wait, then reconnect (unless unsubscribed).
        }
        if (controller.signal.aborted) return;
        await new Promise((resolve) => setTimeout(resolve, options.reconnectMs ?? 1000));
      }
    };
    void run();
    return () => controller.abort();
  };

  return {
    kind: 'http',
    invoke,
    subscribe,
    mediaUrl: (route) => `${options.baseUrl}/media/${route}`,
    ready() {
      session ??= doFetch(`${options.baseUrl}/api/session`, { method: 'POST', headers, credentials: 'same-origin' }).then((response) => {
        if (!response.ok) throw new Error(`the session was refused (HTTP ${response.status}): is the token in the address right?`);
      });
      return session;
    },
  };
}

// ---------- choosing the transport ----------

interface BrowserLike {
  facet?: FacetBridge;
  location: { hash: string; pathname: string; search: string };
  history: { replaceState(data: unknown, unused: string, url: string): void };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

const TOKEN_KEY = 'facet.token';

/**
 * The client for this page: IPC when the preload exposed window.facet, else HTTP with the token from the
 * address fragment (#token=...), which is then removed from the address bar and kept for this tab only.
 */
export function clientForPage(page: BrowserLike): FacetClient {
  if (page.facet) return new FacetClient(ipcTransport(page.facet));
  const fromHash = /(?:^#|&)token=([A-Za-z0-9_-]+)/u.exec(page.location.hash)?.[1];
  if (fromHash) {
    page.sessionStorage.setItem(TOKEN_KEY, fromHash);
    page.history.replaceState(null, '', page.location.pathname + page.location.search);
  }
  const token = fromHash ?? page.sessionStorage.getItem(TOKEN_KEY) ?? '';
  return new FacetClient(httpTransport({ baseUrl: '', token }));
}
