import { createRequire } from 'node:module';
import path from 'node:path';
import { defineCommand } from '../command.ts';
import { serveCommand } from './serve.ts';

/**
 * Where Electron's binary is absent, what to do instead: the app runs in the browser, and an Electron the user
 * already has can be named. Nothing here suggests a download: it may be impossible on this machine.
 */
export function withoutElectron(reason: string): string {
  return [
    `facet start: ${reason}.`,
    'The app runs in your browser instead (the same app, served only to this machine): facet serve --open, which starts now.',
    'To use an Electron you already have, point the electron package at its folder:',
    '  ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-folder npm start   (the folder that holds the electron executable)',
  ].join('\n');
}

const require = createRequire(import.meta.url);

/**
 * require('electron') as findElectron uses it, except that a package without its binary gives the path where the
 * binary would be (so the reason names it) rather than the package's own advice to delete node_modules.
 */
export function electronPath(id: string): unknown {
  try {
    return require(id);
  } catch (error) {
    let folder: string;
    try {
      folder = path.dirname(require.resolve(`${id}/package.json`));
    } catch {
      throw error;
    }
    const exe = process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';
    return path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(folder, 'dist'), exe);
  }
}

export const startCommand = defineCommand({
  summary: 'start the desktop app (Electron), or the same app in the browser where Electron is not installed',
  usage: 'facet start [--port N] [--workers N]',
  options: serveCommand.options,
  async run(context) {
    const { findElectron, launchElectron } = await import('../../app/launch.ts');
    const electron = findElectron(electronPath);
    if (electron.binary) return launchElectron(electron.binary);
    context.err(withoutElectron(electron.reason ?? 'Electron is not installed'));
    return serveCommand.run!({ ...context, values: { ...context.values, open: true } });
  },
});
