import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHttpServer, type RunningServer } from '../../../main/api/httpServer.ts';
import { createTestApi, seedLibrary } from '../../../main/api/testing.ts';
import type { Api } from '../../../main/api/handlers.ts';
import type { ApiEvent } from '../../../main/api/contract.ts';
import { ApiCallError, FacetClient, clientForPage, httpTransport, ipcTransport, parseSse } from './client.ts';
import { inMemoryBridge } from './testing.ts';

/** The same checks run over both transports: the contract must behave identically. */
function contractChecks(name: string, make: () => Promise<{ client: FacetClient; api: Api; faceId: number }>) {
  describe(`client over ${name}`, () => {
    test('calls resolve with typed responses', async () => {
      const { client } = await make();
      const report = await client.call('cluster.run', { threshold: 0.5, minClusterSize: 2 });
      expect(report.clusters).toBe(3);
      const { entries } = await client.call('people.list', {});
      expect(entries.map((e) => e.faceCount)).toEqual([5, 4, 3]);
      const named = await client.call('people.nameCluster', { clusterId: entries[0]!.ref.id, name: 'Ann' });
      expect(named.merged).toBe(false);
      expect((await client.call('people.names', { prefix: 'an' })).names).toEqual([{ personId: named.personId, name: 'Ann' }]);
    });

    test('failures reject with ApiCallError carrying name and field', async () => {
      const { client } = await make();
      const error = await client.call('faces.move', { faceIds: [0], personId: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiCallError);
      expect((error as ApiCallError).name).toBe('ValidationError');
      expect((error as ApiCallError).field).toBe('faceIds[0]');
      const unknown = await (client.call as (m: string, r: unknown) => Promise<unknown>)('people.drop', {}).catch((e: unknown) => e);
      expect((unknown as ApiCallError).name).toBe('UnknownMethodError');
    });

    test('events arrive', async () => {
      const { client, api } = await make();
      const received: ApiEvent[] = [];
      const unsubscribe = client.onEvent((event) => received.push(event));
      await client.transport.ready();
      // The HTTP stream connects asynchronously: emit until heard.
      for (let i = 0; i < 50 && received.length === 0; i++) {
        api.events.emit({ topic: 'changed', what: 'people' });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      unsubscribe();
      expect(received[0]).toEqual({ topic: 'changed', what: 'people' });
    });

    test('media URLs point at the transport', async () => {
      const { client, faceId } = await make();
      expect(client.faceUrl(faceId)).toMatch(new RegExp(`(facet-media://media|http://127\\.0\\.0\\.1:\\d+/media)/face/${faceId}$`));
      expect(client.photoUrl(3, 'a b')).toMatch(/photo\/3\?v=a%20b$/);
    });
  });
}

contractChecks('IPC (in-memory transport)', async () => {
  const { api, store } = createTestApi();
  const seeded = seedLibrary(store);
  return { client: new FacetClient(ipcTransport(inMemoryBridge(api))), api, faceId: seeded.faces.ann[0]! };
});

const servers: RunningServer[] = [];
let staticDir = '';
beforeAll(() => {
  staticDir = mkdtempSync(path.join(os.tmpdir(), 'facet-client-'));
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html>');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(staticDir, { recursive: true, force: true });
});

contractChecks('HTTP (the real server)', async () => {
  const { api, store } = createTestApi();
  const seeded = seedLibrary(store);
  const server = await startHttpServer({ api, staticDir });
  servers.push(server);
  const client = new FacetClient(httpTransport({ baseUrl: `http://127.0.0.1:${server.port}`, token: server.token, reconnectMs: 20 }));
  return { client, api, faceId: seeded.faces.ann[0]! };
});

test('HTTP with a wrong token: calls fail with the server\'s reason, the media session is refused', async () => {
  const { api } = createTestApi();
  const server = await startHttpServer({ api, staticDir });
  servers.push(server);
  const client = new FacetClient(httpTransport({ baseUrl: `http://127.0.0.1:${server.port}`, token: 'wrong' }));
  const error = (await client.call('people.list', {}).catch((e: unknown) => e)) as ApiCallError;
  expect(error.name).toBe('UnauthorizedError');
  await expect(client.transport.ready()).rejects.toThrow(/refused/);
});

test('SSE parsing keeps partial events for the next chunk', () => {
  expect(parseSse(': hi\n\ndata: {"a":1}\n\ndata: {"b"')).toEqual({ events: ['{"a":1}'], rest: 'data: {"b"' });
  expect(parseSse('data: x\ndata: y\r\n\r\n')).toEqual({ events: ['x\ny'], rest: '' });
});

test('the page picks IPC when the preload exposed window.facet, else HTTP with the token from the fragment', () => {
  const stored = new Map<string, string>();
  const replaced: string[] = [];
  const page = {
    location: { hash: '#token=abc_DEF-1', pathname: '/', search: '' },
    history: { replaceState: (_d: unknown, _u: string, url: string) => replaced.push(url) },
    sessionStorage: { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) },
  };
  const http = clientForPage(page);
  expect(http.transport.kind).toBe('http');
  expect(replaced).toEqual(['/']);
  expect(stored.get('facet.token')).toBe('abc_DEF-1');
  // A reload (no fragment any more) finds the token kept for the tab.
  expect(clientForPage({ ...page, location: { ...page.location, hash: '' } }).transport.kind).toBe('http');
  const bridge = { invoke: async () => ({ ok: true as const, value: 1 }), onEvent: () => () => {} };
  expect(clientForPage({ ...page, facet: bridge }).transport.kind).toBe('ipc');
});
