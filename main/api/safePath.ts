/**
 * Resolving a URL path to a file inside one folder, refusing every way out: `..` and `.` segments, encoded
 * separators and dots (%2e%2e, %2f, %5c), backslashes, NUL, absolute and drive paths, double encoding, and
 * symbolic links that lead outside the folder (checked on the real path, after every link is followed).
 * Used by the HTTP bridge (renderer files, photos by id) and by Electron's facet-media:// protocol.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../library/walk.ts';

/** The one rule for what lies inside a folder, shared with the scan's walk. */
export { isInside };

export class UnsafePathError extends Error {
  override readonly name = 'UnsafePathError';
}

/**
 * Splits an encoded URL path ("a/b%20c.jpg") into decoded segments, refusing anything that could climb out
 * or be read two ways. Throws UnsafePathError.
 */
export function safeSegments(encodedPath: string): string[] {
  if (encodedPath.length > 4096) throw new UnsafePathError('path too long');
  const raw = encodedPath.split('/');
  const segments: string[] = [];
  for (const part of raw) {
    if (part === '') continue; // "a//b" and a leading slash
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      throw new UnsafePathError('malformed percent-encoding');
    }
    // A segment that still decodes differently was encoded twice: refuse rather than guess which is meant.
    if (/%[0-9a-f]{2}/iu.test(decoded)) throw new UnsafePathError('encoded twice');
    if (decoded === '.' || decoded === '..') throw new UnsafePathError('dot segment');
    if (/[/\\\0]/u.test(decoded)) throw new UnsafePathError('separator or NUL inside a segment');
    if (/^[a-z]:/iu.test(decoded)) throw new UnsafePathError('drive letter');
    segments.push(decoded);
  }
  if (segments.length === 0) throw new UnsafePathError('empty path');
  return segments;
}

/**
 * The real path of an existing regular file at `segments` under `folder`, or undefined when it does not exist,
 * is not a file, or resolves (through links) outside the folder.
 */
export async function resolveInside(folder: string, segments: readonly string[]): Promise<string | undefined> {
  const realFolder = await realpath(folder).catch(() => undefined);
  if (!realFolder) return undefined;
  return realFileInside(realFolder, path.join(realFolder, ...segments));
}

/** The real path of `file` when it is a regular file inside `realFolder` (already a real path). */
export async function realFileInside(realFolder: string, file: string): Promise<string | undefined> {
  const real = await realpath(file).catch(() => undefined);
  if (!real || !isInside(realFolder, real)) return undefined;
  const stats = await stat(real).catch(() => undefined);
  return stats?.isFile() ? real : undefined;
}
