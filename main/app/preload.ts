/**
 * The preload: exposes one object, window.facet, that forwards contract calls over one IPC channel and
 * passes events back. Nothing of Node or Electron reaches the page. Built to CommonJS for the sandbox
 * (launch.ts), so Electron is reached through require.
 */
import { IPC_CHANNEL, IPC_EVENT_CHANNEL, type ApiEvent, type ApiResult, type FacetBridge } from '../api/contract.ts';
import type { ContextBridgeLike, IpcRendererLike } from './electronApi.ts';

export function createBridge(ipcRenderer: IpcRendererLike): FacetBridge {
  return {
    invoke: (method, request) => ipcRenderer.invoke(IPC_CHANNEL, String(method), request) as Promise<ApiResult<unknown>>,
    onEvent(listener) {
      const forward = (_event: unknown, payload: unknown) => listener(payload as ApiEvent);
      ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
      return () => void ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward);
    },
  };
}

declare const require: ((id: 'electron') => { contextBridge: ContextBridgeLike; ipcRenderer: IpcRendererLike }) | undefined;

if (typeof require === 'function' && typeof process !== 'undefined' && (process as { type?: string }).type === 'renderer') {
  const { contextBridge, ipcRenderer } = require('electron');
  contextBridge.exposeInMainWorld('facet', Object.freeze(createBridge(ipcRenderer)));
}
