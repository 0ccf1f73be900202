/** One photo with its faces, and a face the user draws on it. */
import type { FiveLandmarks } from '../../core/types.ts';
import type { ApiRequest, ApiResponse, Box, FaceItem } from '../contract.ts';
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
