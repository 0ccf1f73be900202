/**
 * `facet export-xmp`: every photo's named faces written as MWG regions, into `.xmp` sidecars by default or
 * into the photos themselves with inPlace (the user's explicit consent: it changes their files). Only the
 * user's own decisions are written unless includeAutomatic: a clustering guess is not put into files that other
 * programs will read as fact. Regions other programs wrote (pets, faces Facet has no name for) are kept.
 */
import type { ProgressListener } from '../core/progress.ts';
import type { Store } from '../store/index.ts';
import type { RegionWriter } from '../xmp/exiftoolMetadata.ts';
import type { NamedRegion } from '../xmp/regions.ts';

export interface ExportXmpOptions {
  /** Only this person's faces. */
  personId?: number;
  /** Write into the photo files instead of sidecars. */
  inPlace?: boolean;
  /** Also faces that clustering (not the user) put with a named person. */
  includeAutomatic?: boolean;
  onProgress?: ProgressListener;
}

export interface ExportXmpReport {
  photos: number;
  regions: number;
  /** The files written: sidecars, or the photos themselves in place. */
  written: string[];
  failed: Array<{ file: string; reason: string; message: string }>;
}

/** Named faces per photo id, as the store holds them now. */
export function namedFacesByPhoto(store: Store, options: Pick<ExportXmpOptions, 'personId' | 'includeAutomatic'>): Map<number, NamedRegion[]> {
  const byPhoto = new Map<number, NamedRegion[]>();
  const filter = options.personId === undefined ? {} : { personId: options.personId };
  for (const face of store.faces.iterate(filter)) {
    if (face.personName === null) continue;
    if (face.assignedBy !== 'user' && !options.includeAutomatic) continue;
    const list = byPhoto.get(face.photoId) ?? [];
    list.push({ name: face.personName, box: face.box });
    byPhoto.set(face.photoId, list);
  }
  return byPhoto;
}

export async function exportXmp(store: Store, writer: RegionWriter, options: ExportXmpOptions = {}): Promise<ExportXmpReport> {
  const report: ExportXmpReport = { photos: 0, regions: 0, written: [], failed: [] };
  const byPhoto = namedFacesByPhoto(store, options);
  let done = 0;
  for (const [photoId, regions] of byPhoto) {
    const photo = store.photos.get(photoId);
    options.onProgress?.({ stage: 'export', done: ++done, total: byPhoto.size });
    if (!photo || photo.status === 'missing' || photo.width === null || photo.height === null) {
      if (photo) report.failed.push({ file: photo.path, reason: photo.status, message: `${photo.path} is ${photo.status === 'missing' ? 'missing' : 'not analysed'}: its names were not written` });
      continue;
    }
    try {
      const written = await writer.writeRegions(photo.path, regions, { width: photo.width, height: photo.height }, { inPlace: options.inPlace });
      report.written.push(written);
      report.photos++;
      report.regions += regions.length;
    } catch (error) {
      report.failed.push({ file: photo.path, reason: 'write', message: `${photo.path}: ${(error as Error).message}` });
    }
  }
  return report;
}
