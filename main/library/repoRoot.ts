/**
 * The Facet repository's root folder, found from a module's own location. The same module runs from the sources
 * (main/…) and from the compiled build (build/main/…, see bin/build.mjs), so counting `..` from a file would point
 * inside build/ in one of them; the root is the nearest folder above that holds Facet's own package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT_PACKAGE_NAME = 'facet';

function isFacetRoot(dir: string): boolean {
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === ROOT_PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** The root above `from` (a file URL or path; this module's own by default), else the nearest package.json's folder. */
export function findRepoRoot(from: string = import.meta.url): string {
  const start = path.dirname(from.startsWith('file:') ? fileURLToPath(from) : from);
  let firstPackage: string | undefined;
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (isFacetRoot(dir)) return dir;
    if (!firstPackage && existsSync(path.join(dir, 'package.json'))) firstPackage = dir;
    if (path.dirname(dir) === dir) break;
  }
  return firstPackage ?? path.resolve(start, '..', '..');
}

export const REPO_ROOT = findRepoRoot();
