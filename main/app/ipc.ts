/**
 * IPC registration: one channel, one handler. Before any call runs, the sender is checked again here (its
 * frame must show our UI, not a page that got into the window) and the arguments are checked in shape; the
 * dispatcher then validates the request against the method's schema. Events go out on one channel.
 */
import { IPC_CHANNEL, IPC_EVENT_CHANNEL, type ApiResult } from '../api/contract.ts';
import type { Api } from '../api/handlers.ts';
import type { IpcInvokeEventLike, IpcMainLike, WebContentsLike } from './electronApi.ts';
import { isAppUrl } from './windowConfig.ts';

export function isTrustedSender(event: IpcInvokeEventLike): boolean {
  return event.senderFrame !== null && isAppUrl(event.senderFrame.url);
}

/** The handler behind IPC_CHANNEL, apart from Electron so that tests call it with fake events. */
export function ipcHandler(api: Api): (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<ApiResult<unknown>> {
  return async (event, ...args) => {
    if (!isTrustedSender(event)) {
      return { ok: false, error: { name: 'ForbiddenError', message: `IPC from ${event.senderFrame?.url ?? 'an unknown frame'} refused` } };
    }
    const [method, request] = args;
    if (args.length !== 2 || typeof method !== 'string') {
      return { ok: false, error: { name: 'ValidationError', message: 'IPC calls take (method: string, request: object)', field: 'method' } };
    }
    return api.call(method, request);
  };
}

/** Registers the API on ipcMain and forwards its events to the windows; returns the function that undoes it. */
export function registerIpc(ipcMain: IpcMainLike, api: Api, windows: () => WebContentsLike[]): () => void {
  ipcMain.handle(IPC_CHANNEL, ipcHandler(api));
  const unsubscribe = api.events.subscribe((event) => {
    for (const contents of windows()) if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event);
  });
  return () => {
    ipcMain.removeHandler(IPC_CHANNEL);
    unsubscribe();
  };
}
