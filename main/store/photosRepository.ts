/** photos: one row per image file under a library root, kept across moves (matched by content hash). */
import path from 'node:path';
import type { DateSource, MediaKind } from '../core/types.ts';
import type { Db } from './db.ts';
import { ConflictError } from './errors/conflictError.ts';
import { InvalidValueError } from './errors/invalidValueError.ts';
import { NotFoundError } from './errors/notFoundError.ts';

export type PhotoStatus = 'ok' | 'failed' | 'missing';

export interface Photo {
  id: number;
  rootId: number;
  /** Absolute path. */
  path: string;
  /** Bytes. */
  size: number;
  /** fs.Stats.mtimeMs, fraction included. */
  mtimeMs: number;
  contentHash: string | null;
  /** Upright size, after EXIF orientation; null when the file could not be read. */
  width: number | null;
  height: number | null;
  /** Date taken as ISO 8601 (local time; with an offset only when the source has one). */
  takenAt: string | null;
  /** Where takenAt came from: 'file' is the modification time, a guess (the UI says "file date"). */
  dateSource: DateSource | null;
  /** 'video' for a video whose sampled frames were analysed. */
  kind: MediaKind;
  /** Videos: length in seconds. */
  durationSeconds: number | null;
  status: PhotoStatus;
  error: string | null;
  scannedAt: number;
  /** The detector whose faces are stored for this photo; null until detection ran on the current content. */
  detectorId: string | null;
}

/** What a scan learns about a file. Status 'failed' needs an error. */
export interface PhotoInput {
  rootId: number;
  path: string;
  size: number;
  mtimeMs: number;
  contentHash: string | null;
  width?: number | null;
  height?: number | null;
  takenAt?: string | null;
  dateSource?: DateSource | null;
  /** Kept when not given. */
  kind?: MediaKind;
  durationSeconds?: number | null;
  status?: Exclude<PhotoStatus, 'missing'>;
  error?: string | null;
  scannedAt?: number;
}

export interface UpsertPhotoResult {
  id: number;
  inserted: boolean;
  /** An existing photo's content hash changed: its faces are stale and its detectorId was reset to null. */
  contentChanged: boolean;
}

/** What a rescan compares against the file system to skip unchanged files. */
export type RescanEntry = Pick<Photo, 'id' | 'path' | 'size' | 'mtimeMs' | 'contentHash' | 'status'>;

export type PhotoCounts = Record<PhotoStatus, number>;

const columns = `id, root_id AS rootId, path, size, mtime_ms AS mtimeMs, content_hash AS contentHash, width, height,
  taken_at AS takenAt, date_source AS dateSource, kind, duration_s AS durationSeconds, status, error, scanned_at AS scannedAt,
  detector_id AS detectorId`;

export const photosSql = {
  byId: `SELECT ${columns} FROM photos WHERE id = ?`,
  byPath: `SELECT ${columns} FROM photos WHERE path = ?`,
  byContentHash: `SELECT ${columns} FROM photos WHERE content_hash = ? ORDER BY id`,
  insert: `INSERT INTO photos
      (root_id, path, size, mtime_ms, content_hash, width, height, taken_at, date_source, kind, duration_s, status, error, scanned_at)
    VALUES (:rootId, :path, :size, :mtimeMs, :contentHash, :width, :height, :takenAt, :dateSource, coalesce(:kind, 'photo'),
      :durationSeconds, :status, :error, :scannedAt)`,
  // Same content: what was read from it (size in pixels, date taken) stays unless given anew, like its detection.
  update: `UPDATE photos SET root_id = :rootId, size = :size, mtime_ms = :mtimeMs, content_hash = :contentHash,
    width = CASE WHEN content_hash IS :contentHash THEN coalesce(:width, width) ELSE :width END,
    height = CASE WHEN content_hash IS :contentHash THEN coalesce(:height, height) ELSE :height END,
    taken_at = CASE WHEN content_hash IS :contentHash THEN coalesce(:takenAt, taken_at) ELSE :takenAt END,
    date_source = CASE WHEN content_hash IS :contentHash THEN coalesce(:dateSource, date_source) ELSE :dateSource END,
    kind = coalesce(:kind, kind),
    duration_s = CASE WHEN content_hash IS :contentHash THEN coalesce(:durationSeconds, duration_s) ELSE :durationSeconds END,
    status = :status, error = :error, scanned_at = :scannedAt,
    detector_id = CASE WHEN content_hash IS :contentHash THEN detector_id END
    WHERE id = :id`,
  move: `UPDATE photos SET root_id = ?, path = ?, status = 'ok', error = NULL, scanned_at = ? WHERE id = ?`,
  markMissing: `UPDATE photos SET status = 'missing', error = NULL WHERE id = ? AND status <> 'missing'`,
  markFound: `UPDATE photos SET status = 'ok', error = NULL WHERE id = ? AND status = 'missing'`,
  forRescan: `SELECT id, path, size, mtime_ms AS mtimeMs, content_hash AS contentHash, status
    FROM photos WHERE root_id = ?`,
  requestDetection: `UPDATE photos SET detector_id = NULL WHERE id = ? AND status = 'ok'`,
  needingDetection: `SELECT id FROM photos WHERE id > ? AND status = 'ok' AND detector_id IS NOT ? ORDER BY id LIMIT ?`,
  counts: 'SELECT status, count(*) AS n FROM photos GROUP BY status',
  failed: `SELECT ${'id, root_id AS rootId, path, error, scanned_at AS scannedAt'} FROM photos WHERE status = 'failed' ORDER BY path`,
  retry: `UPDATE photos SET status = 'ok', error = NULL, detector_id = NULL WHERE id = ? AND status = 'failed'`,
} as const;

/** A file the scan could not read, until it is fixed (a later scan reads it) or removed (marked missing). */
export interface FailedPhoto {
  id: number;
  rootId: number;
  path: string;
  error: string;
  /** When the scan that failed on it ran, milliseconds since the epoch. */
  scannedAt: number;
}

export class PhotosRepository {
  readonly #db: Db;
  readonly #byId;
  readonly #byPath;
  readonly #byContentHash;
  readonly #insert;
  readonly #update;
  readonly #move;
  readonly #markMissing;
  readonly #markFound;
  readonly #forRescan;
  readonly #needingDetection;
  readonly #requestDetection;
  readonly #counts;
  readonly #failed;
  readonly #retry;

  constructor(db: Db) {
    this.#db = db;
    this.#byId = db.prepare<[number], Photo>(photosSql.byId);
    this.#byPath = db.prepare<[string], Photo>(photosSql.byPath);
    this.#byContentHash = db.prepare<[string], Photo>(photosSql.byContentHash);
    this.#insert = db.prepare<Record<string, unknown>>(photosSql.insert);
    this.#update = db.prepare<Record<string, unknown>>(photosSql.update);
    this.#move = db.prepare<[number, string, number, number]>(photosSql.move);
    this.#markMissing = db.prepare<[number]>(photosSql.markMissing);
    this.#markFound = db.prepare<[number]>(photosSql.markFound);
    this.#forRescan = db.prepare<[number], RescanEntry>(photosSql.forRescan);
    this.#needingDetection = db.prepare<[number, string, number], number>(photosSql.needingDetection).pluck();
    this.#requestDetection = db.prepare<[number]>(photosSql.requestDetection);
    this.#counts = db.prepare<[], { status: PhotoStatus; n: number }>(photosSql.counts);
    this.#failed = db.prepare<[], FailedPhoto>(photosSql.failed);
    this.#retry = db.prepare<[number]>(photosSql.retry);
  }

  /** Every file that failed, with its reason and when. */
  listFailed(): FailedPhoto[] {
    return this.#failed.all();
  }

  /** Has the next scan try failed photos again (the user fixed something that left size and date alone). */
  retry(ids: Iterable<number>): number {
    let changed = 0;
    for (const id of ids) changed += this.#retry.run(id).changes;
    return changed;
  }

  get(id: number): Photo | undefined {
    return this.#byId.get(id);
  }

  findByPath(file: string): Photo | undefined {
    return this.#byPath.get(file);
  }

  /** Every photo with this content, oldest first: a 'missing' one among them is a file that moved. */
  findByContentHash(contentHash: string): Photo[] {
    return this.#byContentHash.all(contentHash);
  }

  /** Inserts the photo at input.path, or updates the one already there (same id, faces kept). */
  upsert(input: PhotoInput): UpsertPhotoResult {
    const params = toParams(input);
    return this.#db.transaction((): UpsertPhotoResult => {
      const existing = this.#byPath.get(input.path);
      if (!existing) {
        return { id: Number(this.#insert.run(params).lastInsertRowid), inserted: true, contentChanged: false };
      }
      this.#update.run({ ...params, id: existing.id });
      return { id: existing.id, inserted: false, contentChanged: existing.contentHash !== input.contentHash };
    }).immediate();
  }

  /** The file of photo `id` now lives at `newPath` (found by content hash): same row, so faces and names follow. */
  move(id: number, rootId: number, newPath: string, now = Date.now()): Photo {
    checkAbsolute(newPath);
    return this.#db.transaction((): Photo => {
      const holder = this.#byPath.get(newPath);
      if (holder && holder.id !== id) throw new ConflictError('photos', 'path', newPath, holder.id);
      if (this.#move.run(rootId, newPath, now, id).changes === 0) throw new NotFoundError('photos', id);
      return this.get(id)!;
    }).immediate();
  }

  /** Marks photos whose files are gone. Their faces and names stay, so a file that comes back loses nothing. */
  markMissing(ids: Iterable<number>): number {
    return this.#db.transaction((): number => {
      let changed = 0;
      for (const id of ids) changed += this.#markMissing.run(id).changes;
      return changed;
    }).immediate();
  }

  /** Missing photos whose files are back at their path, unchanged: readable again, with all they had. */
  markFound(ids: Iterable<number>): number {
    return this.#db.transaction((): number => {
      let changed = 0;
      for (const id of ids) changed += this.#markFound.run(id).changes;
      return changed;
    }).immediate();
  }

  listForRescan(rootId: number): RescanEntry[] {
    return this.#forRescan.all(rootId);
  }

  /** Ids of readable photos whose faces were not detected with `detectorId`, in id order after `afterId`. */
  needingDetection(detectorId: string, limit: number, afterId = 0): number[] {
    return this.#needingDetection.all(afterId, detectorId, limit);
  }

  /**
   * Has the next scan analyse the photo again (its metadata changed, say). Re-detection matches the faces already
   * stored by box overlap, so nothing is duplicated and every name stays. Returns whether the photo was readable.
   */
  requestDetection(id: number): boolean {
    return this.#requestDetection.run(id).changes > 0;
  }

  counts(): PhotoCounts {
    const counts: PhotoCounts = { ok: 0, failed: 0, missing: 0 };
    for (const { status, n } of this.#counts.all()) counts[status] = n;
    return counts;
  }
}

function checkAbsolute(file: string): void {
  if (!path.isAbsolute(file)) throw new InvalidValueError('photos.path', `not absolute: ${file}`);
}

function toParams(input: PhotoInput): Record<string, unknown> {
  checkAbsolute(input.path);
  const status = input.status ?? 'ok';
  if (status === 'failed' && !input.error) throw new InvalidValueError('photos.error', 'a failed photo needs an error');
  return {
    rootId: input.rootId,
    path: input.path,
    size: input.size,
    mtimeMs: input.mtimeMs,
    contentHash: input.contentHash,
    width: input.width ?? null,
    height: input.height ?? null,
    takenAt: input.takenAt ?? null,
    dateSource: input.takenAt ? (input.dateSource ?? 'exif') : null,
    kind: input.kind ?? null,
    durationSeconds: input.durationSeconds ?? null,
    status,
    error: input.error ?? null,
    scannedAt: input.scannedAt ?? Date.now(),
  };
}
