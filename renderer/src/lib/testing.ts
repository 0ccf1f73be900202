/** Test helpers: a real API over an in-memory store, reached through an in-memory IPC bridge. */
import type { ApiEvent, FacetBridge } from '../../../main/api/contract.ts';
import type { Api } from '../../../main/api/handlers.ts';
import { createTestApi, seedLibrary } from '../../../main/api/testing.ts';
import { AppState } from './app.svelte.ts';
import { FacetClient, ipcTransport } from './client.ts';

/**
 * What Electron's preload and ipcMain do, without Electron: requests and results go through structuredClone,
 * as they would through IPC, so nothing that cannot cross a process boundary slips through.
 */
export function inMemoryBridge(api: Api): FacetBridge & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async invoke(method, request) {
      calls.push(method);
      return structuredClone(await api.call(method, structuredClone(request)));
    },
    onEvent(listener: (event: ApiEvent) => void) {
      return api.events.subscribe((event) => listener(structuredClone(event)));
    },
  };
}

export async function seededApp(options: { cluster?: boolean } = {}) {
  const { api, store, analyser } = createTestApi();
  const seeded = seedLibrary(store);
  const bridge = inMemoryBridge(api);
  const client = new FacetClient(ipcTransport(bridge));
  if (options.cluster !== false) await client.call('cluster.run', { threshold: 0.5, minClusterSize: 2 });
  return { api, store, analyser, seeded, bridge, client, app: new AppState(client) };
}
