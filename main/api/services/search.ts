/** Search: photos with all of some named people, faces like a given face, faces like the face in a dropped photo. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ApiRequest, ApiResponse, PhotoItem, SearchCutoff, SimilarFace } from '../contract.ts';
import { clusterThresholdFor } from '../../../native-models/catalog.ts';
import { adapterSettingsKey, baseModelOf, parseAdapterRecord, parseDerivedModelId } from '../../learn/adapterRecord.ts';
import { libraryVector } from '../../people/scanPipeline.ts';
import { TimelineQueries } from '../../store/timelineQueries.ts';
import { RequestError } from '../errors.ts';
import { SETTING_KEYS, toPhotoItem, type ApiContext } from './context.ts';
import { nearestFaces, rowOfFace, type Neighbour } from './similarity.ts';

const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/**
 * How far a face may be from the query and still be offered as the same person: the embedder's calibrated
 * clustering threshold (a distance at which average linkage over LFW keeps people apart) plus a margin, because
 * one pair of faces is a noisier sample than a cluster. For dlib-resnet, 0.13 + 0.05 = 0.18, which is also where
 * LFW's 10-fold verification threshold lies (0.1785, 99.1% accuracy).
 */
export const SEARCH_MARGIN = 0.05;

export function searchCutoff(ctx: ApiContext): SearchCutoff {
  const current = ctx.embedderId();
  const base = baseModelOf(current);
  let calibrated: number | undefined;
  let origin = '';
  try {
    calibrated = clusterThresholdFor(base);
    origin = `${base}'s calibrated clustering threshold ${calibrated} (on LFW)`;
  } catch {
    calibrated = undefined;
  }
  // A fine-tuned space: the threshold derived for it when the adapter was applied (the base one scaled by how the
  // adapter moved the verification threshold). A threshold the user chose is a grouping preference, not a calibration.
  if (parseDerivedModelId(current)) {
    const key = adapterSettingsKey(base);
    const record = parseAdapterRecord(ctx.store.settings.get(key), key);
    if (record?.active && record.setClusterThreshold) {
      calibrated = record.clusterThreshold;
      origin = `the threshold derived for ${current} when it was applied, ${Math.round(record.clusterThreshold * 1e4) / 1e4}`;
    }
  }
  if (calibrated === undefined) {
    const stored = ctx.store.settings.get(SETTING_KEYS.threshold);
    calibrated = typeof stored === 'number' ? stored : 1;
    origin = typeof stored === 'number' ? `no calibrated threshold for ${current}: the clustering threshold in use, ${stored}` : `no calibrated threshold for ${current}: 1.0`;
  }
  const distance = Math.round((calibrated + SEARCH_MARGIN) * 1e4) / 1e4;
  return { distance, source: `${origin} + margin ${SEARCH_MARGIN}` };
}

/** How many of the (sorted) results are plausible. */
function plausibleCount(results: SimilarFace[], cutoff: SearchCutoff): number {
  const index = results.findIndex((r) => r.distance > cutoff.distance);
  return index < 0 ? results.length : index;
}

export function searchByNames(ctx: ApiContext, { names, from, to }: ApiRequest<'search.byNames'>): ApiResponse<'search.byNames'> {
  const { store } = ctx;
  const unknownNames: string[] = [];
  const personIds: number[] = [];
  for (const name of names) {
    const person = store.persons.findByName(name);
    if (person) personIds.push(person.id);
    else unknownNames.push(name);
  }
  if (unknownNames.length > 0 || personIds.length === 0) return { photos: [], unknownNames };
  if (from && to && from > to) throw new RequestError('from', `the range starts (${from}) after it ends (${to})`);
  // The timeline's order and dates: EXIF date, else the file's, newest first.
  const rows = new TimelineQueries(store.db).page({ personIds, from, to }, 0, 100_000);
  const photos: PhotoItem[] = rows.flatMap((row) => {
    const photo = store.photos.get(row.id);
    return photo ? [toPhotoItem(photo)] : [];
  });
  return { photos, unknownNames };
}

function describeNeighbours(ctx: ApiContext, neighbours: Neighbour[]): SimilarFace[] {
  return neighbours.flatMap(({ faceId, distance }) => {
    const face = ctx.store.faces.get(faceId);
    if (!face) return [];
    const personId = ctx.store.assignments.get(faceId)?.personId ?? null;
    const personName = personId === null ? null : (ctx.store.persons.get(personId)?.name ?? null);
    return [{ faceId, photoId: face.photoId, personId, personName, distance }];
  });
}

export function searchByFace(ctx: ApiContext, { faceId, limit }: ApiRequest<'search.byFace'>): ApiResponse<'search.byFace'> {
  if (!ctx.store.faces.get(faceId)) throw new RequestError('faceId', `there is no face ${faceId}`);
  const set = ctx.vectors();
  const row = rowOfFace(set.faceIds, faceId);
  if (row < 0) throw new RequestError('faceId', `face ${faceId} has no ${ctx.embedderId()} embedding yet (scan again)`);
  const query = set.vectors.subarray(row * set.dimensions, (row + 1) * set.dimensions);
  const results = describeNeighbours(ctx, nearestFaces(set, query, limit ?? 50, new Set([faceId])));
  const cutoff = searchCutoff(ctx);
  return { results, plausible: plausibleCount(results, cutoff), cutoff };
}

export async function searchByImage(ctx: ApiContext, { imageBase64, limit }: ApiRequest<'search.byImage'>): Promise<ApiResponse<'search.byImage'>> {
  const bytes = Buffer.from(imageBase64, 'base64');
  if (bytes.length > MAX_IMAGE_BYTES) throw new RequestError('imageBase64', `the image is over ${MAX_IMAGE_BYTES / 1024 / 1024} MB`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'facet-query-'));
  try {
    const file = path.join(dir, 'query');
    await writeFile(file, bytes);
    const faces = await ctx.analyser.findFaces(file);
    const cutoff = searchCutoff(ctx);
    if (faces.length === 0) return { queryBox: null, facesFound: 0, results: [], plausible: 0, cutoff };
    const largest = faces.reduce((a, b) => (b.box.width * b.box.height > a.box.width * a.box.height ? b : a));
    const set = ctx.vectors();
    if (set.faceIds.length === 0) return { queryBox: largest.box, facesFound: faces.length, results: [], plausible: 0, cutoff };
    // The analyser runs the base network; the library may be in a fine-tuned space (base + adapter).
    const query = libraryVector(ctx.store, largest.embedding);
    if (query.modelId !== set.modelId) {
      throw new RequestError('embedder', `the analyser embeds with ${ctx.analyser.embedderId}, the library with ${set.modelId}`);
    }
    const results = describeNeighbours(ctx, nearestFaces(set, query.vector, limit ?? 50));
    return { queryBox: largest.box, facesFound: faces.length, results, plausible: plausibleCount(results, cutoff), cutoff };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
