/** The app's "write names into the photos' metadata" action: `facet export-xmp` behind the API contract. */
import { ExifToolMetadata } from '../../xmp/exiftoolMetadata.ts';
import { exportXmp } from '../../people/exportXmp.ts';
import type { ApiRequest, ApiResponse } from '../contract.ts';
import { RequestError } from '../errors.ts';
import type { ApiContext } from './context.ts';

export async function exportNamesToXmp(ctx: ApiContext, { personId, inPlace }: ApiRequest<'libraries.exportXmp'>): Promise<ApiResponse<'libraries.exportXmp'>> {
  if (personId !== undefined && !ctx.store.persons.get(personId)) throw new RequestError('personId', `there is no person ${personId}`);
  // ExifTool's processes live for this call only: exporting is rare, and nothing is left running after it.
  const writer = new ExifToolMetadata({ onWarning: (message) => console.warn(`facet: ${message}`) });
  try {
    const report = await exportXmp(ctx.store, writer, { personId, inPlace: inPlace === true });
    return { photos: report.photos, regions: report.regions, written: report.written.length, failed: report.failed };
  } finally {
    await writer.dispose();
  }
}
