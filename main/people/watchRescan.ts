/**
 * What a watcher's burst of changes does: names from changed sidecars are read again first (a name over a
 * stored face is applied at once; a named region over no face has its photo analysed again, which describes and
 * adds it), then the changed roots are rescanned incrementally. Shared by `facet watch` and the app.
 */
import path from 'node:path';
import type { ScanReport } from './libraryScan.ts';
import { IMAGE_EXTENSIONS } from '../library/walk.ts';
import type { Photo, Store } from '../store/index.ts';
import type { RegionReader } from '../xmp/exiftoolMetadata.ts';
import { applyRegions } from './regionImport.ts';
import type { WatchBatch } from '../library/watch.ts';

/** The photos a sidecar belongs to: `a.jpg.xmp` → a.jpg; `a.xmp` → a.jpg, a.png, ... in the same folder. */
export function photosOfSidecar(store: Store, sidecar: string): Photo[] {
  const withoutXmp = sidecar.slice(0, -path.extname(sidecar).length);
  const candidates = path.extname(withoutXmp) !== '' ? [withoutXmp] : [];
  for (const extension of IMAGE_EXTENSIONS) candidates.push(withoutXmp + extension, withoutXmp + extension.toUpperCase());
  return candidates.map((file) => store.photos.findByPath(file)).filter((photo): photo is Photo => photo !== undefined);
}

export interface SidecarImport {
  named: number;
  /** Photos queued for analysis because a named region covers no stored face. */
  queued: number;
}

export async function reimportSidecars(store: Store, reader: RegionReader, sidecars: readonly string[]): Promise<SidecarImport> {
  const result: SidecarImport = { named: 0, queued: 0 };
  const photos = new Map(sidecars.flatMap((sidecar) => photosOfSidecar(store, sidecar)).map((photo) => [photo.id, photo]));
  for (const photo of photos.values()) {
    // Not analysed yet (or unreadable): the scan that follows reads its names along with its faces.
    if (photo.status !== 'ok' || photo.width === null || photo.height === null || photo.detectorId === null) continue;
    const regions = await reader.readRegions(photo.path, { width: photo.width, height: photo.height });
    if (regions.length === 0) continue;
    store.transaction(() => {
      const outcome = applyRegions(store, photo.id, regions, { addMissing: false });
      result.named += outcome.named;
      if (outcome.unplaced.length > 0 && store.photos.requestDetection(photo.id)) result.queued++;
    });
  }
  return result;
}

export interface WatchRescanOptions {
  store: Store;
  /** An incremental scan of these roots (scanLibrary with the caller's pool and reader); the app's scan job reports no value. */
  scan(roots: string[]): Promise<ScanReport | void>;
  reader?: RegionReader;
  onReport?(report: ScanReport | undefined, sidecars: SidecarImport): void;
}

export function watchRescan(options: WatchRescanOptions): (batch: WatchBatch) => Promise<void> {
  return async (batch) => {
    const sidecars = options.reader && batch.sidecars.length > 0
      ? await reimportSidecars(options.store, options.reader, batch.sidecars)
      : { named: 0, queued: 0 };
    const report = await options.scan(batch.roots);
    options.onReport?.(report ?? undefined, sidecars);
  };
}
