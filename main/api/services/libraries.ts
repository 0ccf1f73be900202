/** Library folders: list, add (an existing absolute folder), remove (forgetting its photos on request), scan. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { LibraryRoot } from '../../store/index.ts';
import type { ApiRequest, ApiResponse, RootInfo } from '../contract.ts';
import { BusyError, RequestError } from '../errors.ts';
import type { ApiContext } from './context.ts';
import type { ScanJob } from './scanJob.ts';

function toRootInfo(root: LibraryRoot): RootInfo {
  const { id, path: folder, online, lastScanAt } = root;
  return { id, path: folder, online, lastScanAt };
}

export function listRoots(ctx: ApiContext): ApiResponse<'libraries.list'> {
  return { roots: ctx.store.roots.list().map(toRootInfo) };
}

export async function addRoot(ctx: ApiContext, { path: folder }: ApiRequest<'libraries.add'>): Promise<ApiResponse<'libraries.add'>> {
  if (!path.isAbsolute(folder)) throw new RequestError('path', `must be an absolute folder path, got ${JSON.stringify(folder)}`);
  const stats = await stat(folder).catch(() => undefined);
  if (!stats) throw new RequestError('path', `${folder} does not exist or cannot be read`);
  if (!stats.isDirectory()) throw new RequestError('path', `${folder} is not a folder`);
  return toRootInfo(ctx.store.roots.add(path.resolve(folder)));
}

export function removeRoot(ctx: ApiContext, scan: ScanJob, { rootId, forgetPhotos }: ApiRequest<'libraries.remove'>): ApiResponse<'libraries.remove'> {
  if (!ctx.store.roots.get(rootId)) throw new RequestError('rootId', `there is no library folder ${rootId}`);
  if (scan.running) throw new BusyError('a scan is running: pause it before removing a folder');
  const hasPhotos = ctx.store.photos.listForRescan(rootId).length > 0;
  if (!hasPhotos) {
    ctx.store.roots.remove(rootId);
    return { photos: 0, faces: 0 };
  }
  if (forgetPhotos !== true) {
    throw new RequestError('forgetPhotos', 'this folder has photos: pass forgetPhotos: true to forget them with their faces and the names given to them');
  }
  const result = ctx.store.forgetRoot(rootId);
  ctx.invalidateVectors();
  return { photos: result.photos, faces: result.faces };
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
