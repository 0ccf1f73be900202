/** faces and face_thumbnails: where faces are in photos, in pixels of the upright original image. */
import type { Box, FiveLandmarks } from '../core/types.ts';
import { bytesToBlob } from './blob.ts';
import type { Db } from './db.ts';
import { NotFoundError } from './errors/notFoundError.ts';
import { ProtectedDataError } from './errors/protectedDataError.ts';

export type FaceSource = 'detected' | 'manual';

export interface FaceInput {
  box: Box;
  /** null for a face the user drew, which has none. */
  landmarks: FiveLandmarks | null;
  /** Detector confidence in [0, 1]; null for a manual face. */
  score: number | null;
  quality?: number | null;
  blur?: number | null;
  /** Small JPEG of the face. */
  thumbnail?: Uint8Array | null;
  /** Set by the method: insertDetected() stores 'detected', insert() takes it from the caller. */
  source?: FaceSource;
  /** Videos: seconds from the start to the frame the face was taken from. */
  timeSeconds?: number | null;
}

export interface Face {
  id: number;
  photoId: number;
  box: Box;
  landmarks: FiveLandmarks | null;
  score: number | null;
  quality: number | null;
  blur: number | null;
  source: FaceSource;
  createdAt: number;
  /** Videos: seconds from the start to the face's frame; absent for a photo. */
  timeSeconds?: number;
}

/** One line of `facet faces --json`. */
export interface FaceListItem {
  id: number;
  photoId: number;
  photoPath: string;
  box: Box;
  score: number | null;
  quality: number | null;
  clusterId: number | null;
  /** The cluster's stable label, carried over between clustering runs. */
  clusterLabel: string | null;
  personId: number | null;
  personName: string | null;
  /** Who made the assignment: 'auto' (clustering) or 'user'; null when unassigned. */
  assignedBy: 'auto' | 'user' | null;
  /** Videos: seconds from the start to the face's frame; absent for a photo. */
  timeSeconds?: number;
}

/** At most one of photoId, personId, clusterId; pages go by id: pass the last id seen as afterId. */
export interface FaceFilter {
  /** Faces in no person and no group (clustering left them out) of readable photos: the ones no view lists. */
  loose?: boolean;
  photoId?: number;
  personId?: number;
  clusterId?: number;
  afterId?: number;
  limit?: number;
}

interface BoxColumns {
  x: number;
  y: number;
  w: number;
  h: number;
}
type FaceRow = Omit<Face, 'box' | 'landmarks' | 'timeSeconds'> & BoxColumns & { landmarks: string | null; timeSeconds: number | null };
type ListRow = Omit<FaceListItem, 'box' | 'timeSeconds'> & BoxColumns & { timeSeconds: number | null };

const faceColumns = `id, photo_id AS photoId, box_x AS x, box_y AS y, box_w AS w, box_h AS h, landmarks, score,
  quality, blur, source, created_at AS createdAt, (SELECT time_s FROM face_times t WHERE t.face_id = faces.id) AS timeSeconds`;
const listSelect = `SELECT f.id, f.photo_id AS photoId, p.path AS photoPath, f.box_x AS x, f.box_y AS y,
  f.box_w AS w, f.box_h AS h, f.score, f.quality, a.cluster_id AS clusterId, a.person_id AS personId,
  pe.name AS personName, c.label AS clusterLabel, a.source AS assignedBy,
  (SELECT time_s FROM face_times t WHERE t.face_id = f.id) AS timeSeconds
  FROM faces f JOIN photos p ON p.id = f.photo_id
  LEFT JOIN face_assignments a ON a.face_id = f.id
  LEFT JOIN persons pe ON pe.id = a.person_id
  LEFT JOIN clusters c ON c.id = a.cluster_id`;

export const facesSql = {
  insert: `INSERT INTO faces (photo_id, box_x, box_y, box_w, box_h, landmarks, score, quality, blur, source, created_at)
    VALUES (:photoId, :x, :y, :w, :h, :landmarks, :score, :quality, :blur, :source, :createdAt)`,
  redetected: `UPDATE faces SET box_x = :x, box_y = :y, box_w = :w, box_h = :h, landmarks = :landmarks, score = :score,
    quality = :quality, blur = :blur WHERE id = :id AND source = 'detected'`,
  putThumbnail: 'INSERT OR REPLACE INTO face_thumbnails (face_id, jpeg) VALUES (?, ?)',
  putTime: 'INSERT OR REPLACE INTO face_times (face_id, time_s) VALUES (?, ?)',
  thumbnail: 'SELECT jpeg FROM face_thumbnails WHERE face_id = ?',
  setDetector: 'UPDATE photos SET detector_id = ? WHERE id = ?',
  byId: `SELECT ${faceColumns} FROM faces WHERE id = ?`,
  byPhoto: `SELECT ${faceColumns} FROM faces WHERE photo_id = ? ORDER BY id`,
  list: `${listSelect} WHERE f.id > ? ORDER BY f.id LIMIT ?`,
  listByPhoto: `${listSelect} WHERE f.photo_id = ? AND f.id > ? ORDER BY f.id LIMIT ?`,
  // Ordered by a.face_id (equal to f.id) so the assignment index delivers the order without a sort.
  listByPerson: `${listSelect} WHERE a.person_id = ? AND a.face_id > ? ORDER BY a.face_id LIMIT ?`,
  listByCluster: `${listSelect} WHERE a.cluster_id = ? AND a.face_id > ? ORDER BY a.face_id LIMIT ?`,
  listLoose: `${listSelect} WHERE a.person_id IS NULL AND a.cluster_id IS NULL AND p.status = 'ok' AND f.id > ? ORDER BY f.id LIMIT ?`,
  holdsUserData: `SELECT EXISTS (SELECT 1 FROM faces WHERE id = :id AND source = 'manual')
    OR EXISTS (SELECT 1 FROM face_assignments WHERE face_id = :id AND source = 'user')
    OR EXISTS (SELECT 1 FROM constraints WHERE face_id = :id)`,
  deleteConstraints: 'DELETE FROM constraints WHERE face_id = ?',
  deleteAssignment: 'DELETE FROM face_assignments WHERE face_id = ?',
  delete: 'DELETE FROM faces WHERE id = ?',
} as const;

export class FacesRepository {
  readonly #db: Db;
  readonly #insert;
  readonly #redetected;
  readonly #putThumbnail;
  readonly #putTime;
  readonly #thumbnail;
  readonly #setDetector;
  readonly #byId;
  readonly #byPhoto;
  readonly #list;
  readonly #holdsUserData;
  readonly #deleteConstraints;
  readonly #deleteAssignment;
  readonly #delete;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare<Record<string, unknown>>(facesSql.insert);
    this.#redetected = db.prepare<Record<string, unknown>>(facesSql.redetected);
    this.#putThumbnail = db.prepare<[number, Buffer]>(facesSql.putThumbnail);
    this.#putTime = db.prepare<[number, number]>(facesSql.putTime);
    this.#thumbnail = db.prepare<[number], Buffer>(facesSql.thumbnail).pluck();
    this.#setDetector = db.prepare<[string, number]>(facesSql.setDetector);
    this.#byId = db.prepare<[number], FaceRow>(facesSql.byId);
    this.#byPhoto = db.prepare<[number], FaceRow>(facesSql.byPhoto);
    this.#list = {
      all: db.prepare<[number, number], ListRow>(facesSql.list),
      photo: db.prepare<[number, number, number], ListRow>(facesSql.listByPhoto),
      person: db.prepare<[number, number, number], ListRow>(facesSql.listByPerson),
      cluster: db.prepare<[number, number, number], ListRow>(facesSql.listByCluster),
      loose: db.prepare<[number, number], ListRow>(facesSql.listLoose),
    };
    this.#holdsUserData = db.prepare<{ id: number }, number>(facesSql.holdsUserData).pluck();
    this.#deleteConstraints = db.prepare<[number]>(facesSql.deleteConstraints);
    this.#deleteAssignment = db.prepare<[number]>(facesSql.deleteAssignment);
    this.#delete = db.prepare<[number]>(facesSql.delete);
  }

  /** Adds one face with its thumbnail (a face the user drew is source 'manual'). Returns its id. */
  insert(photoId: number, face: FaceInput & { source: FaceSource }, now = Date.now()): number {
    return this.#db.transaction(() => this.#insertOne(photoId, face, now)).immediate();
  }

  /**
   * Stores what `detectorId` found in a photo and records that detection ran, in one transaction, so an
   * interrupted detection stage leaves the photo either done or untouched. An empty list is a valid result.
   * Matching against faces already there (re-detection) is the faces module's job; this only adds.
   */
  insertDetected(photoId: number, detectorId: string, faces: readonly FaceInput[], now = Date.now()): number[] {
    return this.#db.transaction((): number[] => {
      if (this.#setDetector.run(detectorId, photoId).changes === 0) throw new NotFoundError('photos', photoId);
      return faces.map((face) => this.#insertOne(photoId, { ...face, source: 'detected' }, now));
    }).immediate();
  }

  /**
   * A stored face found again in its photo's new content (an edit, a crop): it keeps its id, and so its name and
   * decisions, and takes the new detection's place, landmarks, scores and thumbnail.
   */
  redetected(id: number, face: FaceInput): void {
    if (this.#redetected.run({ ...faceColumnValues(face), id }).changes > 0) this.#putSideRows(id, face);
  }

  get(id: number): Face | undefined {
    const row = this.#byId.get(id);
    return row && toFace(row);
  }

  listByPhoto(photoId: number): Face[] {
    return this.#byPhoto.all(photoId).map(toFace);
  }

  /** The face's JPEG thumbnail, if one was stored. */
  thumbnail(faceId: number): Buffer | undefined {
    return this.#thumbnail.get(faceId);
  }

  setThumbnail(faceId: number, jpeg: Uint8Array): void {
    this.#putThumbnail.run(faceId, bytesToBlob(jpeg));
  }

  /** Faces with their photo, cluster and person, in id order. */
  list(filter: FaceFilter = {}): FaceListItem[] {
    return Array.from(this.iterate(filter));
  }

  /**
   * The same, streamed for large libraries. Until the iterator finishes (or `return()` is called) the connection
   * is busy: run no other statement on it meanwhile.
   */
  *iterate(filter: FaceFilter = {}): Generator<FaceListItem> {
    const after = filter.afterId ?? 0;
    const limit = filter.limit ?? -1; // -1: no limit
    const rows = filter.loose
      ? this.#list.loose.iterate(after, limit)
      : filter.photoId !== undefined
        ? this.#list.photo.iterate(filter.photoId, after, limit)
        : filter.personId !== undefined
          ? this.#list.person.iterate(filter.personId, after, limit)
          : filter.clusterId !== undefined
            ? this.#list.cluster.iterate(filter.clusterId, after, limit)
            : this.#list.all.iterate(after, limit);
    for (const { x, y, w, h, timeSeconds, ...rest } of rows) {
      yield { ...rest, box: { x, y, width: w, height: h }, ...(timeSeconds === null ? {} : { timeSeconds }) };
    }
  }

  /** True for a face the user drew, assigned or constrained: one a scan must not drop without saying so. */
  holdsUserData(id: number): boolean {
    return this.#holdsUserData.get({ id }) === 1;
  }

  /**
   * Deletes faces with their thumbnails and embeddings. A face the user drew, assigned, or constrained is
   * refused with ProtectedDataError unless `discardUserDecisions` is set, after the user agreed.
   */
  delete(ids: readonly number[], options: { discardUserDecisions?: boolean } = {}): number {
    return this.#db.transaction((): number => {
      const held = ids.filter((id) => this.#holdsUserData.get({ id }) === 1);
      if (held.length > 0 && !options.discardUserDecisions) {
        throw new ProtectedDataError('faces', held, 'these faces hold user decisions; pass discardUserDecisions');
      }
      let deleted = 0;
      for (const id of ids) {
        this.#deleteConstraints.run(id);
        this.#deleteAssignment.run(id);
        deleted += this.#delete.run(id).changes;
      }
      return deleted;
    }).immediate();
  }

  #insertOne(photoId: number, face: FaceInput, now: number): number {
    const id = Number(this.#insert.run({ ...faceColumnValues(face), photoId, source: face.source ?? 'detected', createdAt: now }).lastInsertRowid);
    this.#putSideRows(id, face);
    return id;
  }

  /** A face's thumbnail and (videos) time, in their own tables. */
  #putSideRows(id: number, face: FaceInput): void {
    if (face.thumbnail) this.#putThumbnail.run(id, bytesToBlob(face.thumbnail));
    if (face.timeSeconds !== undefined && face.timeSeconds !== null) this.#putTime.run(id, face.timeSeconds);
  }

}

/** The faces row's detection columns, as insert and redetected bind them. */
function faceColumnValues(face: FaceInput) {
  const { box } = face;
  return {
    x: box.x, y: box.y, w: box.width, h: box.height,
    landmarks: face.landmarks && JSON.stringify(face.landmarks.map((p) => [p.x, p.y])),
    score: face.score, quality: face.quality ?? null, blur: face.blur ?? null,
  };
}

function toFace({ x, y, w, h, landmarks, timeSeconds, ...rest }: FaceRow): Face {
  const points = landmarks === null ? null : (JSON.parse(landmarks) as Array<[number, number]>);
  return {
    ...rest,
    ...(timeSeconds === null ? {} : { timeSeconds }),
    box: { x, y, width: w, height: h },
    landmarks: points && (points.map(([px, py]) => ({ x: px, y: py })) as FiveLandmarks),
  };
}
