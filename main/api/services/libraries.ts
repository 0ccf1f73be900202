/**
 * Library folders: list, add (a readable folder that is not a system or data folder, merged with the folders it
 * lies in or holds), remove (forgetting its photos on request), scan, and the files that failed with a retry.
 */
import path from 'node:path';
import { LibraryFolderError, type LibraryFolderCheck } from '../../library/libraryFolder.ts';
import { FolderHasPhotosError, registerLibraryFolder, removeLibraryFolder } from '../../people/libraryFolders.ts';
import { defaultDataDir, type LibraryRoot } from '../../store/index.ts';
import type { ApiRequest, ApiResponse, RootInfo } from '../contract.ts';
import { BusyError, RequestError } from '../errors.ts';
import type { ApiContext } from './context.ts';
import type { ScanJob } from './scanJob.ts';

function toRootInfo(root: LibraryRoot): RootInfo {
  const { id, path: folder, online, lastScanAt } = root;
  return { id, path: folder, online, lastScanAt };
}

/** Facet's own folders, never a library folder: the data folder, and the database's folder itself. */
export function libraryFolderCheck(databasePath: string): LibraryFolderCheck {
  return { protectedFolders: [defaultDataDir()], databaseFolder: path.dirname(path.resolve(databasePath)) };
}

export function listRoots(ctx: ApiContext): ApiResponse<'libraries.list'> {
  return { roots: ctx.store.roots.list().map(toRootInfo) };
}

export async function addRoot(ctx: ApiContext, { path: folder }: ApiRequest<'libraries.add'>): Promise<ApiResponse<'libraries.add'>> {
  try {
    const { root, how } = await registerLibraryFolder(ctx.store, folder, libraryFolderCheck(ctx.databasePath));
    if (how === 'merged') ctx.invalidateVectors();
    return toRootInfo(root);
  } catch (error) {
    if (error instanceof LibraryFolderError) throw new RequestError('path', error.message);
    throw error;
  }
}

export function removeRoot(ctx: ApiContext, scan: ScanJob, { rootId, forgetPhotos }: ApiRequest<'libraries.remove'>): ApiResponse<'libraries.remove'> {
  const root = ctx.store.roots.get(rootId);
  if (!root) throw new RequestError('rootId', `there is no library folder ${rootId}`);
  if (scan.running) throw new BusyError('a scan is running: pause it before removing a folder');
  try {
    const result = removeLibraryFolder(ctx.store, root, forgetPhotos === true);
    if (result.photos > 0) ctx.invalidateVectors();
    return result;
  } catch (error) {
    if (error instanceof FolderHasPhotosError) {
      throw new RequestError('forgetPhotos', 'this folder has photos: pass forgetPhotos: true to forget them with their faces and the names given to them');
    }
    throw error;
  }
}

export function startScan(ctx: ApiContext, scan: ScanJob, { rootIds }: ApiRequest<'libraries.startScan'>): ApiResponse<'libraries.startScan'> {
  const roots = rootIds
    ? rootIds.map((id, i) => {
        const root = ctx.store.roots.get(id);
        if (!root) throw new RequestError(`rootIds[${i}]`, `there is no library folder ${id}`);
        return root;
      })
    : ctx.store.roots.list();
  if (roots.length === 0) throw new RequestError('rootIds', 'no library folders yet: add one first');
  return scan.start(roots.map((root) => root.path));
}

/** Every file that failed, with its reason and when, until it is fixed (read by a later scan) or removed. */
export function listFailures(ctx: ApiContext): ApiResponse<'libraries.failures'> {
  return {
    failures: ctx.store.photos.listFailed().map((photo) => ({ photoId: photo.id, rootId: photo.rootId, file: photo.path, reason: photo.error, at: photo.scannedAt })),
  };
}

/** Tries failed files again: they are marked for analysis and their folders scanned (unless a scan runs: then the next one). */
export function retryFailures(ctx: ApiContext, scan: ScanJob, { photoIds }: ApiRequest<'libraries.retryFailures'>): ApiResponse<'libraries.retryFailures'> {
  const failed = ctx.store.photos.listFailed();
  const chosen = photoIds ? failed.filter((photo) => photoIds.includes(photo.id)) : failed;
  if (photoIds) {
    const known = new Set(failed.map((photo) => photo.id));
    const i = photoIds.findIndex((id) => !known.has(id));
    if (i >= 0) throw new RequestError(`photoIds[${i}]`, `photo ${photoIds[i]} has not failed (or does not exist)`);
  }
  const retried = ctx.store.transaction(() => ctx.store.photos.retry(chosen.map((photo) => photo.id)));
  const roots = [...new Set(chosen.map((photo) => photo.rootId))].map((id) => ctx.store.roots.get(id)).filter((root) => root?.online);
  let scanStarted = false;
  if (retried > 0 && roots.length > 0 && !scan.running) {
    scan.start(roots.map((root) => root!.path));
    scanStarted = true;
  }
  return { retried, scanStarted };
}
