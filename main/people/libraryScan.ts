/**
 * The scan stage: list the library roots, skip unchanged files (size + mtime), follow moved files by
 * content hash (their faces and names move with them), retire deleted ones as missing (never deleting
 * what the user made), then detect, align and embed every photo that the current detector has not
 * seen. Each photo's faces and embeddings are written in one transaction, so a crash at any moment
 * leaves a consistent database and the next scan resumes where this one stopped.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ProgressListener } from '../core/progress.ts';
import type { PhotoAnalyser } from '../faces/analysisPool.ts';
import type { AnalysedPhotoFace, FileAnalysis } from '../faces/analyseFile.ts';
import type { Box } from '../core/types.ts';
import { ProtectedDataError, type Face, type Store } from '../store/index.ts';
import { matchBoxes } from '../library/boxOverlap.ts';
import { contentHash, diffLibrary, followContentMoves, pathsToHash, type ScannedFile } from '../library/identity.ts';
import { listLibrary } from '../library/walk.ts';
import { separateRawSiblings } from '../library/siblings.ts';
import { clusterThresholdFor } from '../../native-models/catalog.ts';
import { baseModelOf } from '../learn/adapterRecord.ts';
import { squaredDistance } from '../metrics/verification.ts';

export interface ScanOptions {
  store: Store;
  roots: string[];
  /** Created only when some photo needs analysis, so an unchanged rescan never loads a model. */
  createPool: () => Promise<PhotoAnalyser>;
  detectorId: string;
  embedderId: string;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /**
   * Names already in each analysed photo's metadata (XMP regions), imported with its faces; the people layer
   * supplies it (a lower layer never imports the people layer). Without it no names are imported.
   */
  names?: PhotoNameImport;
  /**
   * Reads the names in XMP sidecars written or edited since the folder's last finished scan, beside photos already
   * analysed (another program tagged them while Facet was closed; only `facet watch` saw such edits before).
   * The people layer supplies it; it returns the faces it named.
   */
  sidecars?: (paths: string[]) => Promise<number>;
}

/**
 * Importing a photo's own names: `prepare` runs before the photo's transaction (it may read files and run models);
 * `apply` runs inside it, so names and faces commit together, and returns how many faces it named or added.
 */
export interface PhotoNameImport<Prepared = unknown> {
  prepare(analyser: PhotoAnalyser, file: string, analysis: Extract<FileAnalysis, { ok: true }>, storedBoxes: Box[]): Promise<Prepared | undefined>;
  apply(store: Store, photoId: number, prepared: Prepared, embedderId: string): number;
}

export interface ScanFailure {
  file: string;
  reason: string;
  message: string;
}

export interface ScanReport {
  roots: string[];
  offlineRoots: string[];
  files: number;
  unchanged: number;
  added: number;
  changed: number;
  moved: number;
  missing: number;
  analysed: number;
  faces: number;
  /** Faces already stored given a vector by this scan's embedder without being detected again (a new embedder). */
  embedded: number;
  /** Faces named from XMP regions, detected or added as manual faces. */
  namesImported: number;
  /**
   * Faces the user had named or decided about that are no longer in their file, whose content changed (a photo
   * replaced or edited, two files swapped): removed with their decisions, and listed so the user knows.
   */
  facesGone: Array<{ file: string; faceId: number; person: string | null }>;
  failed: ScanFailure[];
  seconds: number;
  status: 'done' | 'cancelled';
}

export async function scanLibrary(options: ScanOptions): Promise<ScanReport> {
  const started = performance.now();
  const { store } = options;
  const report: ScanReport = {
    roots: [], offlineRoots: [], files: 0, unchanged: 0, added: 0, changed: 0, moved: 0, missing: 0,
    analysed: 0, faces: 0, embedded: 0, namesImported: 0, facesGone: [], failed: [], seconds: 0, status: 'done',
  };
  const rootIds: number[] = [];
  for (const requested of options.roots) {
    const folder = path.resolve(requested);
    const root = store.roots.findByPath(folder) ?? store.roots.add(folder);
    // A root that is unmounted or removed goes offline; its photos, faces and names stay untouched.
    const online = existsSync(folder) && statSync(folder).isDirectory();
    store.roots.setOnline(root.id, online);
    if (!online) {
      report.offlineRoots.push(folder);
      continue;
    }
    report.roots.push(folder);
    rootIds.push(root.id);
    await syncRoot(options, root.id, folder, report);
  }
  // One analyser for both stages, made only when one of them has work.
  let pool: PhotoAnalyser | undefined;
  const analyser = async () => (pool ??= await options.createPool());
  try {
    const unembedded = facesToEmbed(options, rootIds);
    await analysePending(options, rootIds, report, analyser);
    await embedStoredFaces(options, unembedded, report, analyser);
  } finally {
    await pool?.close();
  }
  // A paused scan has not scanned its folders: they keep their last finished scan's time (the app showed a folder
  // with 57 of 61 photos to go as "scanned").
  if (report.status !== 'cancelled') for (const id of rootIds) store.roots.markScanned(id);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

async function syncRoot(options: ScanOptions, rootId: number, folder: string, report: ScanReport): Promise<void> {
  const { store } = options;
  const walked = await listLibrary([folder]);
  // A RAW beside its camera JPEG is that photo, not another one (library/siblings.ts).
  const listing = { ...walked, files: separateRawSiblings(walked.files).files };
  for (const error of listing.errors) report.failed.push({ file: error.file, reason: error.reason, message: error.message });
  report.files += listing.files.length;
  options.onProgress?.({ stage: 'list', done: listing.files.length, total: listing.files.length });

  const previous = store.photos.listForRescan(rootId).map((photo) => ({ ...photo, contentHash: photo.contentHash ?? '' }));
  const toHash = pathsToHash(previous, listing.files);
  const hashes = new Map<string, string>();
  // Files that cannot be read are kept as failed photos, so `facet failures` and the app list them until fixed.
  const unreadable = new Map<string, string>();
  let hashed = 0;
  for (const file of toHash) {
    const hash = await contentHash(file.path);
    if (hash instanceof Error) {
      report.failed.push({ file: file.path, reason: hash.reason, message: hash.message });
      unreadable.set(file.path, hash.message);
    } else hashes.set(file.path, hash);
    options.onProgress?.({ stage: 'hash', done: ++hashed, total: toHash.length });
  }
  const current: ScannedFile[] = listing.files.map((file) => ({ ...file, contentHash: hashes.get(file.path) }));
  const listed = diffLibrary(previous, current);

  // Files at a known path whose size or mtime moved: hash them now, to tell an edit from a touch, and a content
  // that moved between known paths (renumbered, swapped) from an edit.
  for (const change of listed.changed) {
    const hash = await contentHash(change.current.path);
    if (hash instanceof Error) {
      report.failed.push({ file: change.current.path, reason: hash.reason, message: hash.message });
      unreadable.set(change.current.path, hash.message);
    } else change.current.contentHash = hash;
  }
  const diff = followContentMoves(listed);
  // A file touched (its time moved) but holding the same bytes is unchanged: it is not analysed again, nor counted so.
  const touched = diff.changed.filter((change) => change.current.contentHash !== undefined && change.current.contentHash === change.previous.contentHash).length;
  report.unchanged += diff.unchanged.length + touched;
  store.transaction(() => {
    // Through a path of its own first: in a swap or a renumbering each target path is still held by the record
    // that moves on from it.
    for (const { previous: old, current: now } of diff.moved) store.photos.move(old.id, rootId, `${now.path}.facet-moving-${old.id}`);
    for (const { previous: old, current: now } of diff.moved) {
      store.photos.move(old.id, rootId, now.path);
      store.photos.upsert({ rootId, path: now.path, size: now.size, mtimeMs: now.mtimeMs, contentHash: now.contentHash ?? null });
    }
    for (const file of [...diff.added, ...diff.changed.map((change) => change.current)]) {
      if (file.contentHash === undefined) {
        // Unreadable: reported above, and kept as a failed photo with its reason until it is fixed or removed.
        const error = unreadable.get(file.path);
        if (error) store.photos.upsert({ rootId, path: file.path, size: file.size, mtimeMs: file.mtimeMs, contentHash: null, status: 'failed', error });
        continue;
      }
      store.photos.upsert({ rootId, path: file.path, size: file.size, mtimeMs: file.mtimeMs, contentHash: file.contentHash, status: 'ok', error: null });
    }
    // Deleted files are only marked missing: their faces, persons and names stay and return with the file.
    report.missing += store.photos.markMissing(diff.deleted.filter((photo) => photo.status !== 'missing').map((photo) => photo.id));
    // ...as they do here, when a file comes back unchanged (a drive mounted again over its empty mount point).
    store.photos.markFound(diff.unchanged.filter((photo) => photo.status === 'missing').map((photo) => photo.id));
  });
  report.moved += diff.moved.length;
  report.added += diff.added.length;
  report.changed += diff.changed.length - touched;

  // Before the analysis, which reads a photo again where a sidecar names a face not yet found (reimportSidecars).
  const lastScanAt = store.roots.get(rootId)?.lastScanAt ?? null;
  const edited = lastScanAt === null ? [] : listing.sidecars.filter((sidecar) => sidecar.mtimeMs > lastScanAt).map((sidecar) => sidecar.path);
  if (edited.length > 0 && options.sidecars) report.namesImported += await options.sidecars(edited);
}

/**
 * Faces in these folders that the scan's embedder has not embedded: the library switched embedders (Settings,
 * `facet scan --model`), and "a new embedder needs a rescan" did nothing, since a scan analysed only photos its
 * detector had not seen. They are embedded at their stored landmarks (a video's in its frame at the face's time):
 * not detected again, so face ids, names and decisions stay. (Analysing a video again would track its faces with
 * the new network, pick other best frames and duplicate its people.)
 */
function facesToEmbed(options: ScanOptions, rootIds: readonly number[]): number[] {
  const { store } = options;
  const faces: number[] = [];
  for (let afterId = 0; ; ) {
    const ids = store.embeddings.facesWithout(options.embedderId, 1000, afterId);
    if (ids.length === 0) break;
    afterId = ids[ids.length - 1]!;
    for (const id of ids) {
      const face = store.faces.get(id);
      const photo = face && store.photos.get(face.photoId);
      if (photo && photo.status === 'ok' && rootIds.includes(photo.rootId)) faces.push(id);
    }
  }
  return faces;
}

async function embedStoredFaces(options: ScanOptions, faceIds: readonly number[], report: ScanReport, analyser: () => Promise<PhotoAnalyser>): Promise<void> {
  const { store } = options;
  // Those the analysis above did not embed meanwhile (a photo that had changed, analysed whole).
  const todo = faceIds.filter((id) => store.faces.get(id) && !store.embeddings.get(id, options.embedderId));
  if (todo.length === 0) return;
  const pool = await analyser();
  if (!pool.embedAt && !pool.embedInBox) return; // a stand-in that only detects
  let done = 0, next = 0;
  const runOne = async (): Promise<void> => {
    while (next < todo.length && !options.signal?.aborted) {
      const face = store.faces.get(todo[next++]!);
      const photo = face && store.photos.get(face.photoId);
      if (!face || !photo) continue;
      const result = face.landmarks && pool.embedAt
        ? await pool.embedAt(photo.path, face.landmarks, face.timeSeconds ?? undefined)
        : pool.embedInBox && photo.kind !== 'video' ? await pool.embedInBox(photo.path, face.box) : undefined;
      if (!result) continue;
      const vector = result.ok ? result.faces[0]?.embedding : undefined;
      if (!result.ok) report.failed.push({ file: result.file, reason: result.reason, message: result.message });
      else if (vector) {
        store.embeddings.putMany(options.embedderId, [{ faceId: face.id, vector }]);
        report.embedded++;
      }
      options.onProgress?.({ stage: 'embed', done: ++done, total: todo.length, detail: `${report.embedded} faces embedded with ${options.embedderId}` });
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, pool.workers * 2) }, runOne));
  if (options.signal?.aborted) report.status = 'cancelled';
}

async function analysePending(options: ScanOptions, rootIds: number[], report: ScanReport, analyser: () => Promise<PhotoAnalyser>): Promise<void> {
  const { store } = options;
  const pending: Array<{ id: number; path: string }> = [];
  for (let afterId = 0; ; ) {
    const ids = store.photos.needingDetection(options.detectorId, 1000, afterId);
    if (ids.length === 0) break;
    afterId = ids[ids.length - 1]!;
    for (const id of ids) {
      const photo = store.photos.get(id)!;
      if (rootIds.includes(photo.rootId)) pending.push({ id, path: photo.path });
    }
  }
  if (pending.length === 0) return;
  const pool = await analyser();
  let done = 0;
  // A bounded window of photos in flight keeps every worker busy without holding the whole library in memory.
  const window = Math.max(2, pool.workers * 2);
  let next = 0;
  const runOne = async (): Promise<void> => {
    while (next < pending.length && !options.signal?.aborted) {
      const photo = pending[next++]!;
      const analysis = await pool.analyse(photo.path);
      const imported = analysis.ok && options.names
        ? await options.names.prepare(pool, photo.path, analysis, store.faces.listByPhoto(photo.id).map((face) => face.box))
        : undefined;
      const stillThere = analysis.ok ? await checkUndetectedFaces(options, pool, photo.id, analysis) : undefined;
      storeAnalysis(options, photo.id, analysis, report, imported, stillThere);
      options.onProgress?.({ stage: 'analyse', done: ++done, total: pending.length, detail: `${report.faces} faces` });
    }
  };
  await Promise.all(Array.from({ length: window }, runOne));
  if (options.signal?.aborted) report.status = 'cancelled';
}

/**
 * A photo's stored faces matched to its new analysis (newIndex → index into `existing`). Re-detection is idempotent:
 * a new detection overlapping a face already stored is that face, if it looks like it. A file whose content changed
 * under the same name (a swap, a renumbered camera file, a photo replaced) has faces in the same places that are
 * other people: by box alone they inherited the old faces' names. A face the edit moved within the photo (a crop, a
 * turn) is still that face when it looks all but the same: half the cut-off, which edits of one face stay within.
 */
function matchStoredFaces(store: Store, embedderId: string, existing: readonly Face[], found: readonly AnalysedPhotoFace[]): Map<number, number> {
  const cutoff = sameFaceCutoff(embedderId);
  const stored = existing.map((face) => store.embeddings.get(face.id, embedderId));
  const matches = matchBoxes(existing.map((face) => face.box), found.map((face) => face.box));
  for (const [newIndex, oldIndex] of matches) {
    const before = stored[oldIndex];
    if (before && squaredDistance(before, found[newIndex]!.embedding) > cutoff) matches.delete(newIndex);
  }
  const usedOld = new Set(matches.values());
  const moved: Array<[distance: number, newIndex: number, oldIndex: number]> = [];
  for (let n = 0; n < found.length; n++) {
    if (matches.has(n)) continue;
    for (let o = 0; o < existing.length; o++) {
      const before = stored[o];
      if (usedOld.has(o) || !before || existing[o]!.source !== 'detected') continue;
      const distance = squaredDistance(before, found[n]!.embedding);
      if (distance <= cutoff / 2) moved.push([distance, n, o]);
    }
  }
  moved.sort((a, b) => a[0] - b[0]);
  for (const [, n, o] of moved) {
    if (matches.has(n) || usedOld.has(o)) continue;
    matches.set(n, o);
    usedOld.add(o);
  }
  return matches;
}

/**
 * For each face the user named or decided about that the new analysis of its changed file did not find: is it
 * still there? Embedded at its stored landmarks in the new content, it is if it still looks like its stored vector
 * (the detector missed it this time); otherwise it is gone. faceId → still there; faces not checked are kept.
 */
async function checkUndetectedFaces(options: ScanOptions, pool: PhotoAnalyser, photoId: number, analysis: Extract<FileAnalysis, { ok: true }>): Promise<Map<number, boolean>> {
  const { store, embedderId } = options;
  const verdicts = new Map<number, boolean>();
  const existing = store.faces.listByPhoto(photoId);
  // Only faces the user decided about are checked: the others go without a word when not found again.
  const decided = existing.filter((face) => face.source === 'detected' && face.landmarks && store.faces.holdsUserData(face.id));
  if (decided.length === 0 || !pool.embedAt) return verdicts;
  const matched = new Set([...matchStoredFaces(store, embedderId, existing, analysis.faces).values()].map((index) => existing[index]!.id));
  const cutoff = sameFaceCutoff(embedderId);
  for (const face of decided) {
    if (matched.has(face.id) || !face.landmarks) continue;
    const before = store.embeddings.get(face.id, embedderId);
    if (!before) continue;
    const result = await pool.embedAt(analysis.file, face.landmarks, face.timeSeconds);
    if (!result.ok) continue; // unreadable now: the analysis itself read it, so keep the face rather than guess
    const vector = result.faces[0]?.embedding;
    verdicts.set(face.id, vector !== undefined && squaredDistance(before, vector) <= cutoff);
  }
  return verdicts;
}

function storeAnalysis(options: ScanOptions, photoId: number, analysis: FileAnalysis, report: ScanReport, imported?: unknown, stillThere?: ReadonlyMap<number, boolean>): void {
  const { store } = options;
  const photo = store.photos.get(photoId);
  if (!photo) return; // forgotten meanwhile
  if (!analysis.ok) {
    report.failed.push({ file: analysis.file, reason: analysis.reason, message: analysis.message });
    store.photos.upsert({ rootId: photo.rootId, path: photo.path, size: photo.size, mtimeMs: photo.mtimeMs, contentHash: photo.contentHash, status: 'failed', error: analysis.message });
    return;
  }
  store.transaction(() => {
    store.photos.upsert({
      rootId: photo.rootId, path: photo.path, size: photo.size, mtimeMs: photo.mtimeMs, contentHash: photo.contentHash,
      width: analysis.width, height: analysis.height, takenAt: analysis.takenAt ?? null,
      dateSource: analysis.dateSource ?? null, kind: analysis.kind ?? 'photo', durationSeconds: analysis.durationSeconds ?? null, status: 'ok', error: null,
    });
    const existing = store.faces.listByPhoto(photoId);
    const matches = matchStoredFaces(store, options.embedderId, existing, analysis.faces);
    const fresh = analysis.faces.filter((_, i) => !matches.has(i));
    const freshIds = store.faces.insertDetected(photoId, options.detectorId, fresh.map(toFaceInput));
    const vectors = fresh.map((face, i) => ({ faceId: freshIds[i]!, vector: face.embedding }));
    for (const [newIndex, oldIndex] of matches) {
      const found = analysis.faces[newIndex]!;
      store.faces.redetected(existing[oldIndex]!.id, toFaceInput(found));
      vectors.push({ faceId: existing[oldIndex]!.id, vector: found.embedding });
    }
    store.embeddings.putMany(options.embedderId, vectors);
    // Detected faces no longer found are removed. One the user made a decision about stays unless it was checked and
    // is gone from the new content (checkUndetectedFaces); then it goes with its decisions, and the report says so.
    // (It stayed before, a ghost: the name on an empty place or on someone else in a replaced photo.)
    const matchedOld = new Set(matches.values());
    for (let i = 0; i < existing.length; i++) {
      const face = existing[i]!;
      if (matchedOld.has(i) || face.source !== 'detected') continue;
      try {
        store.faces.delete([face.id]);
      } catch (error) {
        if (!(error instanceof ProtectedDataError)) throw error;
        if (stillThere?.get(face.id) !== false) continue;
        const person = store.faces.list({ photoId }).find((item) => item.id === face.id)?.personName ?? null;
        store.faces.delete([face.id], { discardUserDecisions: true });
        report.facesGone.push({ file: analysis.file, faceId: face.id, person });
      }
    }
    report.faces += analysis.faces.length;
    if (imported !== undefined && options.names) report.namesImported += options.names.apply(store, photoId, imported, options.embedderId);
  });
  report.analysed++;
}

/**
 * How far (squared L2) a face found again at a stored face's place may be from that face's stored vector and still
 * be that face: the embedder's calibrated clustering threshold plus search's margin (0.18 for dlib-resnet, about
 * where LFW's verification threshold lies). An edited photo (recompressed, cropped, recoloured) of the same face
 * stays well inside it; another person rarely does.
 */
function sameFaceCutoff(embedderId: string): number {
  try {
    return clusterThresholdFor(baseModelOf(embedderId)) + SAME_FACE_MARGIN;
  } catch {
    return FALLBACK_SAME_FACE_CUTOFF; // a network `facet train` made: no calibrated threshold
  }
}
const SAME_FACE_MARGIN = 0.05;
const FALLBACK_SAME_FACE_CUTOFF = 0.18;

function toFaceInput(face: AnalysedPhotoFace) {
  return {
    box: face.box,
    landmarks: face.landmarks,
    score: Math.min(1, Math.max(0, face.score)),
    quality: face.quality.overall,
    blur: face.quality.laplacianVariance,
    thumbnail: face.thumbnail,
    timeSeconds: face.timeSeconds ?? null,
  };
}
