/**
 * What a library folder may be: a real directory the user can read, that is neither the file system's root, nor
 * a system folder, nor Facet's own data folder. Compared on real paths (after every link), so `/proc/self`,
 * `/var/../etc` or a link to `/` are refused like what they lead to. The scan, the API's libraries.add and the
 * CLI all ask here before a folder is registered; a refused folder registers nothing.
 */
import { constants } from 'node:fs';
import { access, opendir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from './walk.ts';

export type LibraryFolderRefusal = 'not-absolute' | 'missing' | 'not-a-folder' | 'unreadable' | 'system-folder' | 'data-folder';

export class LibraryFolderError extends Error {
  override readonly name = 'LibraryFolderError';
  constructor(
    /** The folder as it was given. */
    readonly folder: string,
    readonly reason: LibraryFolderRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** Folders that hold the system, never photos: refused themselves and everything inside them. */
export function systemFolders(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  if (platform === 'win32') {
    const drive = (env.SystemDrive ?? 'C:') + '\\';
    return [
      env.SystemRoot ?? path.win32.join(drive, 'Windows'),
      env.ProgramFiles ?? path.win32.join(drive, 'Program Files'),
      env['ProgramFiles(x86)'] ?? path.win32.join(drive, 'Program Files (x86)'),
      env.ProgramData ?? path.win32.join(drive, 'ProgramData'),
      path.win32.join(drive, '$Recycle.Bin'),
      path.win32.join(drive, 'System Volume Information'),
    ];
  }
  const unix = ['/proc', '/sys', '/dev', '/etc', '/boot', '/run', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/usr', '/snap'];
  if (platform === 'darwin') {
    // /etc and /var are links into /private: their real paths are listed (os.tmpdir() is /private/var/folders/..., allowed).
    return [...unix, '/System', '/Library', '/private/etc', '/private/var/db', '/private/var/root', '/cores', '/Applications'];
  }
  return unix;
}

export interface LibraryFolderCheck {
  /** Folders a library folder may not be nor lie inside: Facet's data folder. */
  protectedFolders?: readonly string[];
  /** The folder holding the database (--db may put it anywhere): it may not be a library folder itself. */
  databaseFolder?: string;
  platform?: NodeJS.Platform;
}

/**
 * The folder's real path when it may be a library folder; otherwise a LibraryFolderError naming the folder and
 * saying why.
 */
export async function checkLibraryFolder(folder: string, options: LibraryFolderCheck = {}): Promise<string> {
  const refuse = (reason: LibraryFolderRefusal, why: string) => new LibraryFolderError(folder, reason, `${folder}: ${why}`);
  const platform = options.platform ?? process.platform;
  const paths = platform === 'win32' ? path.win32 : path.posix;
  if (!paths.isAbsolute(folder)) throw refuse('not-absolute', 'a library folder must be an absolute path');
  let real: string;
  try {
    real = await realpath(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw refuse('missing', 'no such folder');
    throw refuse('unreadable', `cannot be read (${code ?? (error as Error).message})`);
  }
  if (!(await stat(real)).isDirectory()) throw refuse('not-a-folder', 'not a folder');
  const shown = real === folder ? '' : ` (${real})`;
  if (paths.parse(real).root === real || paths.dirname(real) === real) {
    throw refuse('system-folder', `the whole file system${shown} cannot be a library folder: choose the folder that holds your photos`);
  }
  const same = platform === 'win32' || platform === 'darwin'
    ? (a: string, b: string) => isInside(a.toLowerCase(), b.toLowerCase())
    : isInside;
  for (const system of systemFolders(platform)) {
    if (same(system, real)) throw refuse('system-folder', `${system} is a system folder${shown}, not a photo library`);
  }
  for (const guarded of options.protectedFolders ?? []) {
    const guardedReal = await realpath(guarded).catch(() => paths.resolve(guarded));
    if (same(guardedReal, real)) {
      throw refuse('data-folder', `is Facet's own data folder ${guardedReal} or inside it${shown}`);
    }
  }
  if (options.databaseFolder) {
    const databaseReal = await realpath(options.databaseFolder).catch(() => paths.resolve(options.databaseFolder!));
    if (same(databaseReal, real) && same(real, databaseReal)) throw refuse('data-folder', `holds Facet's database${shown}`);
  }
  try {
    await access(real, constants.R_OK | constants.X_OK);
    await (await opendir(real)).close();
  } catch (error) {
    throw refuse('unreadable', `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return real;
}
