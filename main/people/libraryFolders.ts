/**
 * Registering a library folder, the one way the CLI's scan, `facet libraries` and the app's libraries.add do it:
 * the folder is checked (library/libraryFolder.ts: a readable directory, not a system or data folder; a refused
 * folder registers nothing), then merged with the folders already known:
 * - the same folder (by real path) is the known one;
 * - a folder inside a known one is that known folder (its photos are already in the library);
 * - a folder above known ones becomes one folder holding them: their photos move to it with their faces and
 *   names, so the next scan reports them unchanged rather than new.
 * Removing a folder (with or without forgetting its photos) is here too.
 */
import path from 'node:path';
import { checkLibraryFolder, type LibraryFolderCheck } from '../library/libraryFolder.ts';
import { isInside } from '../library/walk.ts';
import type { LibraryRoot, Store } from '../store/index.ts';
import { realpathSync } from 'node:fs';

export interface RegisteredFolder {
  root: LibraryRoot;
  /** 'inside': the folder asked for lies in `root`, which is what is scanned. */
  how: 'new' | 'known' | 'inside' | 'merged';
  /** Known folders that now belong to `root` (how: 'merged'). */
  merged: string[];
}

/** The real path of a stored folder, or its stored path while it is offline. */
function realOf(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return path.resolve(folder);
  }
}

export async function registerLibraryFolder(store: Store, folder: string, check: LibraryFolderCheck = {}): Promise<RegisteredFolder> {
  const real = await checkLibraryFolder(path.isAbsolute(folder) ? folder : path.resolve(folder), check);
  const known = store.roots.list().map((root) => ({ root, real: realOf(root.path) }));
  const same = known.find((entry) => entry.real === real || entry.root.path === real);
  if (same) return { root: same.root, how: 'known', merged: [] };
  const outer = known.find((entry) => isInside(entry.real, real));
  if (outer) return { root: outer.root, how: 'inside', merged: [] };
  const inner = known.filter((entry) => isInside(real, entry.real));
  const root = store.transaction(() => {
    const added = store.roots.add(real);
    for (const entry of inner) store.roots.mergeInto(entry.root.id, added.id);
    return store.roots.get(added.id)!;
  });
  return { root, how: inner.length > 0 ? 'merged' : 'new', merged: inner.map((entry) => entry.root.path) };
}

/** The known folder a path names (by real path, or as stored when it is offline), or undefined. */
export function findLibraryFolder(store: Store, folder: string): LibraryRoot | undefined {
  const absolute = path.resolve(folder);
  const real = realOf(absolute);
  return store.roots.list().find((root) => root.path === absolute || realOf(root.path) === real);
}

export class FolderHasPhotosError extends Error {
  override readonly name = 'FolderHasPhotosError';
  /** `photos` counts every file on record: readable, unreadable and missing, as `facet libraries` lists them apart. */
  constructor(readonly folder: string, readonly photos: number, counts: { ok: number; failed: number; missing: number } = { ok: photos, failed: 0, missing: 0 }) {
    const parts = [`${counts.ok} photo(s)`, ...(counts.failed > 0 ? [`${counts.failed} unreadable`] : []), ...(counts.missing > 0 ? [`${counts.missing} missing`] : [])];
    super(`${folder} has ${parts.join(', ')}: removing it forgets them with their faces and the names given to them; say so to go on (--forget)`);
  }
}

/** Removes a folder; one with photos only with `forget`, which forgets its photos, faces and names. */
export function removeLibraryFolder(store: Store, root: LibraryRoot, forget: boolean): { photos: number; faces: number; persons: number } {
  const onRecord = store.photos.listForRescan(root.id);
  const photos = onRecord.length;
  if (photos === 0) {
    store.roots.remove(root.id);
    return { photos: 0, faces: 0, persons: 0 };
  }
  const count = (status: string) => onRecord.filter((photo) => photo.status === status).length;
  // The same split as `facet libraries` (it said "65 photos, 5 failed, 1 missing" and this "71 photo(s)").
  if (!forget) throw new FolderHasPhotosError(root.path, photos, { ok: count('ok'), failed: count('failed'), missing: count('missing') });
  const result = store.forgetRoot(root.id);
  return { photos: result.photos, faces: result.faces, persons: result.persons };
}
