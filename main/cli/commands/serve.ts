import { openInBrowserPrivately } from '../../api/browserLaunch.ts';
import { defineCommand } from '../command.ts';

/**
 * Opens `url` in the user's browser through a private (0600) page, so the token is never in a process's
 * arguments (api/browserLaunch.ts); failure is reported, not fatal.
 */
export function openInBrowser(url: string, err: (text: string) => void): void {
  openInBrowserPrivately(url, err);
}

export const serveCommand = defineCommand({
  summary: 'browser mode: serve the app on 127.0.0.1 with a one-time token (Ctrl-C stops)',
  usage: 'facet serve [--port N] [--open] [--workers N] [--rebuild] [--json]',
  options: {
    port: { type: 'integer', min: 0, max: 65535, default: 0, description: '0 picks a free port' },
    open: { type: 'boolean', description: 'open it in the browser' },
    workers: { type: 'integer', min: 0, description: 'analysis worker threads for scans (default: the core limit set on the Settings screen, else all cores but one on 4 or more; 0: none)' },
    rebuild: { type: 'boolean', description: 'rebuild the app (renderer) first' },
  },
  async run({ values, json, database: databasePath, backend, out, err }) {
    const SHUTDOWN_GRACE_MS = 20_000;
    // The API and its networks load only now, so that --help and a mistyped option answer at once.
    const [{ startHttpServer }, { openApi }, { ensureRendererBuilt }] = await Promise.all([
      import('../../api/httpServer.ts'), import('../../api/openApi.ts'), import('../../api/rendererBuild.ts'),
    ]);
    const { port, workers } = values;
    // The API's analysis workers read the backend from the environment: it is handed over here, explicitly.
    if (backend !== undefined) process.env.FACET_BACKEND = backend;
    const staticDir = ensureRendererBuilt({ force: values.rebuild, log: err });
    const { api, store } = openApi({ databasePath, transport: 'http', workers, watch: true });
    const server = await startHttpServer({ api, port, staticDir });
    // Listening for Ctrl-C and SIGTERM before the address is printed: a signal sent as soon as it is read is handled.
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    if (json) out(JSON.stringify({ url: server.url, port: server.port, database: databasePath }));
    else {
      out(`Facet is running at ${server.url}`);
      out(`database: ${databasePath}  (only this machine can connect; the token in the address is the key)`);
    }
    if (values.open) openInBrowser(server.url, err);
    await stopped;
    err('stopping…');
    // Bounded, whatever the watcher, ExifTool or a scan in flight are doing: every write is a transaction
    // in a WAL database, so exiting now loses nothing that was committed.
    const deadline = setTimeout(() => {
      err(`facet: stopping took longer than ${SHUTDOWN_GRACE_MS / 1000} s; exiting now`);
      process.exit(0);
    }, SHUTDOWN_GRACE_MS);
    await server.close();
    await api.close();
    store.close();
    clearTimeout(deadline);
    // A handle left open (a watcher or ExifTool process winding down) must not keep the process alive.
    setTimeout(() => process.exit(0), 2000).unref();
    return 0;
  },
});
