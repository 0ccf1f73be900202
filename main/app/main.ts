/**
 * The Electron main process: one window on our own facet-app:// origin, with the sandbox on, Node off in the
 * page, a strict CSP, navigation and new windows refused, permission requests denied, media only through
 * facet-media://, and the API on one validated IPC channel. Started by electron-entry.mjs (see launch.ts).
 */
import path from 'node:path';
import { openApi } from '../api/openApi.ts';
import { ensureRendererBuilt } from '../api/rendererBuild.ts';
import { REPO_ROOT } from '../library/repoRoot.ts';
import { resolveDatabasePath } from '../store/index.ts';
import { registerIpc } from './ipc.ts';
import { appProtocolHandler, mediaProtocolHandler } from './protocols.ts';
import { APP_ORIGIN, APP_SCHEME, MEDIA_SCHEME, SCHEME_PRIVILEGES, allowPermission, isAllowedExternalLink, isAppUrl, windowOptions } from './windowConfig.ts';

// Electron's module, typed loosely here: the parts used are checked against Electron's own types in
// conformance.electron.mts, and main.ts runs only inside Electron.
type ElectronModule = typeof import('./electronApi.ts') & Record<string, any>;

export async function runElectronApp(preloadPath: string): Promise<void> {
  const electron = (await import('electron' as string)) as ElectronModule;
  const { app, BrowserWindow, ipcMain, protocol, session, shell } = electron.default ?? electron;
  protocol.registerSchemesAsPrivileged(SCHEME_PRIVILEGES);
  app.enableSandbox();
  await app.whenReady();

  const staticDir = ensureRendererBuilt();
  const { api, store } = openApi({ databasePath: resolveDatabasePath(), transport: 'ipc', watch: true });
  protocol.handle(APP_SCHEME, appProtocolHandler(staticDir));
  protocol.handle(MEDIA_SCHEME, mediaProtocolHandler(store));
  session.defaultSession.setPermissionRequestHandler((_contents: unknown, permission: string, callback: (ok: boolean) => void) => callback(allowPermission(permission)));
  session.defaultSession.setPermissionCheckHandler((_contents: unknown, permission: string) => allowPermission(permission));

  app.on('web-contents-created', (_event: unknown, contents: any) => {
    contents.on('will-navigate', (event: { preventDefault(): void }, url: string) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event: { preventDefault(): void }, url: string) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event: { preventDefault(): void }) => event.preventDefault());
    // window.open and target=_blank: never a new window; only a link to an allow-listed origin (none today)
    // opens in the user's browser.
    contents.setWindowOpenHandler(({ url }: { url: string }) => {
      if (isAllowedExternalLink(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });

  const window = new BrowserWindow(windowOptions(preloadPath));
  const unregister = registerIpc(ipcMain, api, () => (window.isDestroyed() ? [] : [window.webContents]));
  window.once('ready-to-show', () => window.show());
  await window.loadURL(`${APP_ORIGIN}/index.html`);

  app.on('window-all-closed', async () => {
    unregister();
    await api.close();
    store.close();
    app.quit();
  });
}

// Beside the app's files, not the working folder: a packaged app starts wherever the desktop launches it.
const preload = process.env.FACET_PRELOAD ?? path.join(REPO_ROOT, 'out', 'preload.cjs');
if ((process.versions as Record<string, string | undefined>).electron) void runElectronApp(preload);
