import { findElectron, launchElectron } from '../../app/launch.ts';
import type { Command } from '../main.ts';
import { serveCommand } from './serve.ts';

export const startCommand: Command = {
  summary: 'start the desktop app (Electron), or browser mode where Electron is not installed',
  usage: 'facet start [--port N] [--workers N]',
  options: { port: { type: 'string' }, workers: { type: 'string' } },
  async run(context) {
    const electron = findElectron();
    if (electron.binary) return launchElectron(electron.binary);
    context.err(`facet start: ${electron.reason}; starting browser mode instead (facet serve --open).`);
    return serveCommand.run({ ...context, values: { ...context.values, open: true } });
  },
};
