/**
 * Opening browser mode in the user's browser without putting the token where other local users can read it.
 * A URL given to `xdg-open` (or `open`, `start`) as an argument is visible in `ps` to every user of the machine,
 * and its token is the key to the whole library. Instead the URL is written into a small HTML page in a folder
 * only this user can enter (0700), the file itself 0600, and the browser is given the file's path: the page sends
 * it on to the address, token in the fragment (never sent over the network). The page is deleted a minute later
 * (or when serve stops), once the browser has read it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Starts a program detached; returns a promise of the error, if it cannot start. */
export type Launcher = (command: string, args: string[]) => void;

const defaultLauncher = (onError: (error: Error) => void): Launcher => (command, args) => {
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  child.on('error', onError);
  child.unref();
};

/** The program that opens a file in the default browser, per platform. */
export function openerFor(platform: NodeJS.Platform, file: string): [string, string[]] {
  if (platform === 'darwin') return ['open', [file]];
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', file]];
  return ['xdg-open', [pathToFileURL(file).href]];
}

/** The page that forwards to `url` (escaped for a script and an attribute). */
export function forwardingPage(url: string): string {
  const inScript = JSON.stringify(url).replace(/</gu, '\\u003c');
  const inAttribute = url.replace(/&/gu, '&amp;').replace(/"/gu, '&quot;').replace(/</gu, '&lt;');
  return `<!doctype html>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${inAttribute}">
<title>Opening Facet…</title>
<script>location.replace(${inScript});</script>
<p><a href="${inAttribute}" rel="noreferrer">Open Facet</a></p>
`;
}

export interface PrivateOpen {
  /** The page handed to the browser. */
  file: string;
  /** Deletes the page (done by itself after `keepMs`). */
  remove(): void;
}

/** Opens `url` in the browser through a private page; failure to start a browser is told through `err`. */
export function openInBrowserPrivately(
  url: string,
  err: (text: string) => void,
  options: { launcher?: Launcher; platform?: NodeJS.Platform; keepMs?: number; tmpDir?: string } = {},
): PrivateOpen {
  const dir = mkdtempSync(path.join(options.tmpDir ?? os.tmpdir(), 'facet-open-')); // created 0700
  const file = path.join(dir, 'open-facet.html');
  writeFileSync(file, forwardingPage(url), { mode: 0o600, flag: 'wx' });
  const remove = () => rmSync(dir, { recursive: true, force: true });
  setTimeout(remove, options.keepMs ?? 60_000).unref();
  const [command, args] = openerFor(options.platform ?? process.platform, file);
  const launch = options.launcher ?? defaultLauncher((error) => err(`could not open a browser (${error.message}); open the address above yourself`));
  launch(command, args);
  return { file, remove };
}
