/**
 * Checked only by `npm run typecheck` where Electron's types are installed (typecheck-electron.mjs):
 * the shell's structural types and settings must fit Electron's real API. Never run.
 */
import type {
  BrowserWindowConstructorOptions, ContextBridge, CustomScheme, IpcMain, IpcMainInvokeEvent, IpcRenderer, WebContents,
} from 'electron';
import type { ContextBridgeLike, IpcInvokeEventLike, IpcMainLike, IpcRendererLike, WebContentsLike } from './electronApi.ts';
import { SCHEME_PRIVILEGES, windowOptions } from './windowConfig.ts';
import { appProtocolHandler } from './protocols.ts';

type Handler = Parameters<Electron.Protocol['handle']>[1];

export const checks = (real: { ipcMain: IpcMain; ipcRenderer: IpcRenderer; contextBridge: ContextBridge; contents: WebContents; event: IpcMainInvokeEvent }) => {
  const options: BrowserWindowConstructorOptions = windowOptions('/preload.cjs');
  const schemes: CustomScheme[] = SCHEME_PRIVILEGES;
  const ipcMain: IpcMainLike = real.ipcMain;
  const ipcRenderer: IpcRendererLike = real.ipcRenderer;
  const bridge: ContextBridgeLike = real.contextBridge;
  const contents: WebContentsLike = real.contents;
  const event: IpcInvokeEventLike = real.event;
  const handler: Handler = appProtocolHandler('/dist');
  return { options, schemes, ipcMain, ipcRenderer, bridge, contents, event, handler };
};
