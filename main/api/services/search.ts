/** Search: photos with all of some named people, faces like a given face, faces like the face in a dropped photo. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ApiRequest, ApiResponse, PhotoItem, SimilarFace } from '../contract.ts';
import { libraryVector } from '../../people/scanPipeline.ts';
import { RequestError } from '../errors.ts';
import { toPhotoItem, type ApiContext } from './context.ts';
import { nearestFaces, rowOfFace, type Neighbour } from './similarity.ts';

const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export function searchByNames(ctx: ApiContext, { names }: ApiRequest<'search.byNames'>): ApiResponse<'search.byNames'> {
  const { store } = ctx;
  const unknownNames: string[] = [];
  const personIds: number[] = [];
  for (const name of names) {
    const person = store.persons.findByName(name);
    if (person) personIds.push(person.id);
    else unknownNames.push(name);
  }
  if (unknownNames.length > 0 || personIds.length === 0) return { photos: [], unknownNames };
  let common: Set<number> | undefined;
  for (const personId of personIds) {
    const photoIds = new Set(store.faces.list({ personId }).map((face) => face.photoId));
    common = common ? new Set([...common].filter((id) => photoIds.has(id))) : photoIds;
  }
  const photos: PhotoItem[] = [...(common ?? [])].flatMap((id) => {
    const photo = store.photos.get(id);
    return photo && photo.status !== 'missing' ? [toPhotoItem(photo)] : [];
  });
  photos.sort((a, b) => (b.takenAt ?? '').localeCompare(a.takenAt ?? '') || b.photoId - a.photoId);
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
  return { results: describeNeighbours(ctx, nearestFaces(set, query, limit ?? 50, new Set([faceId]))) };
}

export async function searchByImage(ctx: ApiContext, { imageBase64, limit }: ApiRequest<'search.byImage'>): Promise<ApiResponse<'search.byImage'>> {
  const bytes = Buffer.from(imageBase64, 'base64');
  if (bytes.length > MAX_IMAGE_BYTES) throw new RequestError('imageBase64', `the image is over ${MAX_IMAGE_BYTES / 1024 / 1024} MB`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'facet-query-'));
  try {
    const file = path.join(dir, 'query');
    await writeFile(file, bytes);
    const faces = await ctx.analyser.findFaces(file);
    if (faces.length === 0) return { queryBox: null, facesFound: 0, results: [] };
    const largest = faces.reduce((a, b) => (b.box.width * b.box.height > a.box.width * a.box.height ? b : a));
    const set = ctx.vectors();
    if (set.faceIds.length === 0) return { queryBox: largest.box, facesFound: faces.length, results: [] };
    // The analyser runs the base network; the library may be in a fine-tuned space (base + adapter).
    const query = libraryVector(ctx.store, largest.embedding);
    if (query.modelId !== set.modelId) {
      throw new RequestError('embedder', `the analyser embeds with ${ctx.analyser.embedderId}, the library with ${set.modelId}`);
    }
    return { queryBox: largest.box, facesFound: faces.length, results: describeNeighbours(ctx, nearestFaces(set, query.vector, limit ?? 50)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
