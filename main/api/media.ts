/**
 * Photos and face thumbnails for the UI, the same for the HTTP bridge (/media/...) and Electron's
 * facet-media:// protocol. Only what the database knows is served, by id: a face's stored thumbnail, or a photo
 * the scan read successfully whose file lies inside its library folder, under the one rule the scan follows
 * (library/walk.ts isInside: the real path, after every link, inside the folder's real path). There is no route
 * by file path: nothing that is not a photo in the database can be asked for.
 *
 *   face/<faceId>                     the face's JPEG thumbnail (ETag, revalidated)
 *   photo/<photoId>?v=<version>       the photo; with the current version, cached for good (immutable)
 *   photo/<photoId>?v=<version>&t=<s> a video's frame at s seconds (0 to its length): where its faces were seen
 */
import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { displayJpeg } from '../library/display.ts';
import type { Store } from '../store/index.ts';
import { realFileInside, safeSegments, UnsafePathError } from './safePath.ts';
import { toPhotoItem } from './services/context.ts';

export interface MediaResponse {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Formats every browser shows as they are; others (TIFF, HEIC, camera RAW) are converted to JPEG on the way out. */
const BROWSER_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif',
  '.avif': 'image/avif', '.bmp': 'image/bmp',
};

const notFound = (why: string): MediaResponse => ({
  status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: Buffer.from(`not found: ${why}\n`),
});
const badRequest = (why: string): MediaResponse => ({
  status: 400, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: Buffer.from(`refused: ${why}\n`),
});

function positiveId(text: string | undefined): number | undefined {
  if (!text || !/^[1-9]\d{0,15}$/u.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}

async function withEtag(etag: string, ifNoneMatch: string | undefined, headers: Record<string, string>, body: () => Promise<Buffer> | Buffer): Promise<MediaResponse> {
  const quoted = `"${etag}"`;
  const all = { ...headers, etag: quoted };
  // A matching ETag answers 304 without reading (or converting) the file.
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//u, '') === quoted)) return { status: 304, headers: all };
  return { status: 200, headers: all, body: await body() };
}

async function fileResponse(file: string, etag: string, cacheControl: string, ifNoneMatch: string | undefined, timeSeconds?: number): Promise<MediaResponse> {
  const extension = path.extname(file).toLowerCase();
  const type = BROWSER_TYPES[extension];
  const headers = { 'content-type': type ?? 'image/jpeg', 'cache-control': cacheControl };
  return withEtag(etag, ifNoneMatch, headers, async () =>
    type ? readFile(file) : displayJpeg(file, { timeSeconds }), // HEIC, RAW, TIFF, a video's frame: decoded as the scan decodes them
  );
}

/** t= of a video's frame: seconds, 0 to the video's length (a second of slack for rounding); undefined when absent. */
function frameTime(text: string | null, durationSeconds: number | null): number | undefined | 'bad' {
  if (text === null) return undefined;
  if (!/^\d{1,6}(\.\d{1,3})?$/u.test(text)) return 'bad';
  const seconds = Number(text);
  return seconds <= (durationSeconds ?? 0) + 1 ? seconds : 'bad';
}

/**
 * Answers one media request. `route` is the part after the media prefix, still URL-encoded, without query;
 * `query` its search parameters.
 */
export async function serveMedia(store: Store, route: string, query: URLSearchParams, ifNoneMatch?: string): Promise<MediaResponse> {
  let segments: string[];
  try {
    segments = safeSegments(route);
  } catch (error) {
    return badRequest((error as UnsafePathError).message);
  }
  const [kind, idText, ...rest] = segments;
  const id = positiveId(idText);
  if (id === undefined) return badRequest('expected a positive id');

  if (kind === 'face' && rest.length === 0) {
    const jpeg = store.faces.thumbnail(id);
    if (!jpeg) return notFound(`face ${id} has no thumbnail`);
    const etag = createHash('sha256').update(jpeg).digest('base64url').slice(0, 22);
    return withEtag(etag, ifNoneMatch, { 'content-type': 'image/jpeg', 'cache-control': 'private, no-cache' }, () => Buffer.from(jpeg));
  }

  if (kind === 'photo' && rest.length === 0) {
    const photo = store.photos.get(id);
    // Only photos the scan read as images: a file that failed (text named .jpg) or went missing is not served.
    if (!photo || photo.status !== 'ok') return notFound(`photo ${id}`);
    const root = store.roots.get(photo.rootId);
    const realRoot = root && (await realpath(root.path).catch(() => undefined));
    if (!realRoot) return notFound(`the library folder of photo ${id} is offline`);
    const file = await realFileInside(realRoot, photo.path);
    if (!file) return notFound(`photo ${id} is not a file inside its library folder`);
    const item = toPhotoItem(photo);
    const time = item.kind === 'video' ? frameTime(query.get('t'), item.durationSeconds) : undefined;
    if (time === 'bad') return badRequest(`t must be seconds from 0 to the video's length (${item.durationSeconds ?? 0})`);
    const version = item.version;
    const cache = query.get('v') === version ? 'private, max-age=31536000, immutable' : 'private, no-cache';
    const etag = createHash('sha256').update(`${version}@${time ?? ''}`).digest('base64url').slice(0, 22);
    return fileResponse(file, etag, cache, ifNoneMatch, time);
  }

  return notFound('unknown media route');
}
