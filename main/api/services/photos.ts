/** One photo with its faces, and a face the user draws on it. */
import type { FiveLandmarks } from '../../core/types.ts';
import type { ApiRequest, ApiResponse, Box, DateSourceName, FaceItem, TimelinePhoto, TimelineQuery } from '../contract.ts';
import type { Store } from '../../store/index.ts';
import { TimelineQueries, type TimelineRow } from '../../store/timelineQueries.ts';
import { storeFaceVector } from '../../people/scanPipeline.ts';
import { RequestError } from '../errors.ts';
import { toFaceItem, toPhotoItem, type ApiContext } from './context.ts';
import { assignFaces } from './faces.ts';

/** Smallest face, in original pixels, worth describing: below this the landmark net sees a blur. */
const MIN_FACE_SIDE = 16;

function requirePhoto(ctx: ApiContext, photoId: number) {
  const photo = ctx.store.photos.get(photoId);
  if (!photo) throw new RequestError('photoId', `there is no photo ${photoId}`);
  return photo;
}

export function facesOfPhoto(ctx: ApiContext, photoId: number): FaceItem[] {
  const sources = new Map(ctx.store.faces.listByPhoto(photoId).map((face) => [face.id, face.source]));
  return ctx.store.faces.list({ photoId }).map((face) => toFaceItem(face, sources.get(face.id)));
}

export function getPhoto(ctx: ApiContext, { photoId }: ApiRequest<'photo.get'>): ApiResponse<'photo.get'> {
  return { photo: toPhotoItem(requirePhoto(ctx, photoId)), faces: facesOfPhoto(ctx, photoId) };
}

/** The box clipped to the photo; refused when too little of it is inside. */
export function clipBox(box: Box, width: number, height: number): Box {
  const x = Math.max(0, box.x), y = Math.max(0, box.y);
  const right = Math.min(width, box.x + box.width), bottom = Math.min(height, box.y + box.height);
  if (right - x < MIN_FACE_SIDE || bottom - y < MIN_FACE_SIDE) {
    throw new RequestError('box', `the box must cover at least ${MIN_FACE_SIDE}×${MIN_FACE_SIDE} pixels of the ${width}×${height} photo`);
  }
  return { x, y, width: right - x, height: bottom - y };
}

export async function addManualFace(ctx: ApiContext, { photoId, box, name }: ApiRequest<'photo.addManualFace'>): Promise<ApiResponse<'photo.addManualFace'>> {
  const photo = requirePhoto(ctx, photoId);
  if (photo.status !== 'ok' || photo.width === null || photo.height === null) {
    throw new RequestError('photoId', `photo ${photoId} is ${photo.status === 'ok' ? 'not analysed yet' : photo.status}: scan it first`);
  }
  const clipped = clipBox(box, photo.width, photo.height);
  // The models run before the transaction: nothing is written if they fail.
  const described = await ctx.analyser.describeBox(photo.path, clipped);
  const { store } = ctx;
  const faceId = store.transaction(() => {
    const id = store.faces.insert(photoId, {
      box: clipped,
      landmarks: described.landmarks as FiveLandmarks,
      score: null,
      quality: described.quality,
      thumbnail: described.thumbnail,
      source: 'manual',
    });
    storeFaceVector(store, id, ctx.analyser.embedderId, described.embedding);
    if (name !== undefined) assignFaces(ctx, { faceIds: [id], name });
    return id;
  });
  ctx.invalidateVectors();
  const face = facesOfPhoto(ctx, photoId).find((f) => f.faceId === faceId)!;
  return { face };
}

// ---------- the timeline (issue #16): every photo by date, newest first ----------

const timelines = new WeakMap<Store, TimelineQueries>();

function queries(ctx: ApiContext): TimelineQueries {
  let found = timelines.get(ctx.store);
  if (!found) {
    found = new TimelineQueries(ctx.store.db);
    timelines.set(ctx.store, found);
  }
  return found;
}

function filterOf(ctx: ApiContext, { personIds, from, to }: TimelineQuery): TimelineQuery {
  for (const personId of personIds ?? []) {
    if (!ctx.store.persons.get(personId)) throw new RequestError('personIds', `there is no person ${personId}`);
  }
  if (from && to && from > to) throw new RequestError('from', `the range starts (${from}) after it ends (${to})`);
  return { personIds, from, to };
}

function toTimelinePhoto(row: TimelineRow): TimelinePhoto {
  return {
    photoId: row.id,
    version: row.contentHash ?? `${row.size}-${Math.round(row.mtimeMs)}`,
    width: row.width,
    height: row.height,
    date: row.date,
    dateSource: row.dateSource as DateSourceName,
  };
}

export function timeline(ctx: ApiContext, request: ApiRequest<'photos.timeline'>): ApiResponse<'photos.timeline'> {
  const months = queries(ctx).months(filterOf(ctx, request));
  return { months, total: months.reduce((sum, m) => sum + m.count, 0) };
}

export function timelinePage(ctx: ApiContext, { offset, limit, ...query }: ApiRequest<'photos.page'>): ApiResponse<'photos.page'> {
  return { photos: queries(ctx).page(filterOf(ctx, query), offset, limit).map(toTimelinePhoto) };
}

export function photoNeighbours(ctx: ApiContext, { photoId, ...query }: ApiRequest<'photos.neighbours'>): ApiResponse<'photos.neighbours'> {
  const filter = filterOf(ctx, query);
  const found = queries(ctx).neighbours(filter, photoId);
  if (!found.row) throw new RequestError('photoId', `there is no photo ${photoId}`);
  const total = found.index < 0 ? 0 : queries(ctx).months(filter).reduce((sum, m) => sum + m.count, 0);
  return { previous: found.previous, next: found.next, index: found.index, total, date: found.row.date, dateSource: found.row.dateSource as DateSourceName };
}
