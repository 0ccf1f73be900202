import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where to look; tests pass their own, the app uses the running process's. */
export interface DataDirContext {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/**
 * The folder Facet keeps its database in: $FACET_HOME when set, otherwise the user's data folder of the OS
 * (Linux $XDG_DATA_HOME/facet or ~/.local/share/facet, macOS ~/Library/Application Support/Facet,
 * Windows %APPDATA%\Facet). Does not create it.
 */
export function defaultDataDir(context: DataDirContext = {}): string {
  const env = context.env ?? process.env;
  const platform = context.platform ?? process.platform;
  const home = context.home ?? os.homedir();
  const paths = platform === 'win32' ? path.win32 : path.posix;

  if (env.FACET_HOME) return paths.resolve(env.FACET_HOME);
  switch (platform) {
    case 'darwin':
      return paths.join(home, 'Library', 'Application Support', 'Facet');
    case 'win32':
      return paths.join(env.APPDATA || paths.join(home, 'AppData', 'Roaming'), 'Facet');
    default: {
      // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
      const xdg = env.XDG_DATA_HOME;
      const base = xdg && paths.isAbsolute(xdg) ? xdg : paths.join(home, '.local', 'share');
      return paths.join(base, 'facet');
    }
  }
}

/** `<data folder>/facet.db`, creating the folder when it does not exist yet. */
export function defaultDatabasePath(context: DataDirContext = {}): string {
  const dir = defaultDataDir(context);
  mkdirSync(dir, { recursive: true });
  return path.join(dir, 'facet.db');
}

/** The database a process uses: $FACET_DB (the CLI's --db, the app's override) when set, else the default. */
export function resolveDatabasePath(context: DataDirContext = {}): string {
  const env = context.env ?? process.env;
  return env.FACET_DB ? path.resolve(env.FACET_DB) : defaultDatabasePath(context);
}
