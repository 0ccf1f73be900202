/**
 * The Facet API contract: every method the renderer may call, with its request and response types, and the
 * progress events the main side pushes. One file, no imports, shared by main (handlers, IPC, HTTP bridge),
 * the preload and the renderer's client, so the two sides cannot drift apart without the compiler noticing.
 *
 * Conventions: ids are positive integers; boxes are in pixels of the upright original photo; distances are
 * squared Euclidean between L2-normalised embeddings (2 - 2·cos, in [0, 4]; smaller is more alike).
 * Every request is one JSON object (empty for methods without arguments). Errors come back as ApiError values.
 */

// ---------- shared value types ----------

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A row of the people grid: a person (named or not) or an unnamed cluster that clustering found. */
export type PeopleRef = { kind: 'person'; id: number } | { kind: 'cluster'; id: number };

export interface RootInfo {
  id: number;
  path: string;
  online: boolean;
  lastScanAt: number | null;
}

export interface ScanFailure {
  file: string;
  reason: string;
  message: string;
}

/** A file that failed, kept until it is fixed or removed. at: when the scan that failed on it ran (ms since the epoch). */
export interface FailureInfo {
  photoId: number;
  rootId: number;
  file: string;
  reason: string;
  at: number;
}

export type ScanState = 'idle' | 'running' | 'stopping' | 'done' | 'cancelled' | 'failed';

export interface ScanStatus {
  state: ScanState;
  /** 'list', 'hash', 'analyse' while running. */
  stage: string | null;
  done: number;
  total: number;
  /** Items of the current stage per second, over the stage so far. */
  ratePerSecond: number | null;
  /** Seconds left in the current stage at that rate. */
  etaSeconds: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** Files that could not be read, with why. */
  failed: ScanFailure[];
  /** The last finished scan's summary. */
  /**
   * embedded: faces already stored given the library's (new) embedder's vector without being detected again;
   * facesGone: faces the user had named or decided about that are no longer in their changed file (removed).
   */
  summary: {
    files: number; added: number; changed: number; moved: number; missing: number; analysed: number; faces: number; embedded: number;
    facesGone: Array<{ file: string; person: string | null }>;
  } | null;
  error: string | null;
  /** What the library holds now. */
  counts: { photos: number; failedPhotos: number; missingPhotos: number; faces: number };
}

export interface PeopleEntry {
  ref: PeopleRef;
  name: string | null;
  faceCount: number;
  /** The face shown for the entry: the person's cover, else its best-quality face. */
  coverFaceId: number | null;
  hidden: boolean;
  favourite: boolean;
  birthDate: string | null;
}

export interface FaceItem {
  faceId: number;
  photoId: number;
  box: Box;
  personId: number | null;
  personName: string | null;
  clusterId: number | null;
  quality: number | null;
  /** 'detected' or 'manual' (drawn by the user). */
  source: 'detected' | 'manual';
  /** Faces of a video: seconds from the start to this person's best frame (open the video there); absent for photos. */
  timeSeconds?: number;
}

export interface PhotoItem {
  photoId: number;
  path: string;
  width: number | null;
  height: number | null;
  /** Date taken (ISO 8601; local time, with an offset where the source has one) or null. */
  takenAt: string | null;
  /** Where takenAt came from; 'file' is the file's modification time, a guess: show it as "file date". */
  dateSource: 'exif' | 'xmp' | 'quicktime' | 'file' | null;
  /** 'video': a video whose sampled frames were analysed; its faces carry timeSeconds. */
  kind: 'photo' | 'video';
  /** Videos: length in seconds; null for photos. */
  durationSeconds: number | null;
  /** Changes when the file's content changes: media URLs carry it so the browser may cache them for good. */
  version: string;
}

export interface PersonPhoto extends PhotoItem {
  /** This person's face in the photo. */
  faceId: number;
  /** Whole years on the day the photo was taken, when both the birth date and the date taken are known. */
  ageYears: number | null;
}

export interface PersonInfo {
  id: number;
  name: string | null;
  hidden: boolean;
  favourite: boolean;
  birthDate: string | null;
  coverFaceId: number | null;
}

/**
 * A question of the review queue: "is this (group of faces) personName?". Asked only where the person is
 * plausibly right: within the clustering threshold ('likely') or in the calibrated band just above it ('maybe').
 */
export interface Suggestion {
  faceId: number;
  photoId: number;
  personId: number;
  personName: string;
  /** Average-linkage distance from the group to the person's faces. */
  distance: number;
  band: 'likely' | 'maybe';
  /** Every unsorted face one answer settles (this face first): a small cluster is asked about once. */
  faceIds: number[];
}

/** What fine-tuning did, as the app shows it. */
export interface FineTuneSummary {
  status: 'applied' | 'not-applied' | 'skipped' | 'dry-run';
  /** Why, in a sentence. */
  reason: string;
  forced: boolean;
  /** The embedder in use afterwards. */
  embedderId: string;
  /** Held-out verification accuracy before and after, when measured. */
  heldOut: { base: number; adapted: number } | null;
  /** Faces that joined a named person through the re-clustering that followed (to review). */
  movedIntoPersons: Array<{ faceId: number; personId: number; personName: string | null }>;
}

/** One user decision in the history (journal): what it did, when, and whether it was undone. */
export interface HistoryEntry {
  id: number;
  /** Milliseconds since the Unix epoch. */
  at: number;
  kind: 'name' | 'rename' | 'merge' | 'reject' | 'move' | 'assign' | 'confirm' | 'hide' | 'favourite' | 'cover' | 'birthDate' | 'manualFace' | 'forget' | 'import';
  /** A sentence for the history panel, e.g. 'Named group c12 "Ann Lee" (14 faces)'. */
  summary: string;
  /** Faces the decision touched (at most 50 listed). */
  faceIds: number[];
  undone: boolean;
  /** False for decisions that cannot be reverted (forgetting face data deletes it for good). */
  undoable: boolean;
  /** True for an undone decision that redo makes again (until a new decision is made). */
  redoable: boolean;
  /** Faces the decision touched that are gone since (a folder removed, a face no longer in its changed file). */
  forgottenFaces: number;
}

export interface SimilarFace {
  faceId: number;
  photoId: number;
  personId: number | null;
  personName: string | null;
  distance: number;
}

export interface ModelInfo {
  id: string;
  description: string;
}

export interface SettingsInfo {
  threshold: number;
  linkage: 'average' | 'single' | 'complete';
  minClusterSize: number;
  detector: string;
  embedder: string;
  detectors: ModelInfo[];
  embedders: ModelInfo[];
  /**
   * The inference backend: `active` is the one the models actually loaded on (null before any analysis ran),
   * `choices` only those that can load on this machine, `unavailable` the others with why.
   */
  backend: { requested: string | null; active: string | null; choices: string[]; unavailable: Array<{ name: string; reason: string }> };
  /**
   * Scans run at low priority on `workers` analysis workers: the user's core limit (`cores`, null when not set),
   * else all but one of the machine's `machineCores` on machines with 4 or more; they look for faces down to
   * `smallestFace` px (the small-face pass tiles large photos for them), with networks computing in `precision`.
   * Takes effect with the next scan.
   */
  scan: {
    cores: number | null; workers: number; machineCores: number; smallestFace: number; precision: 'fp32' | 'int8-embedder' | 'int8';
    /** Set when this session's workers were fixed when it started (`facet serve --workers N`): the core limit waits. */
    sessionWorkers?: number;
  };
  /** The useful range of the clustering threshold for this embedder (the slider's travel) and its calibrated value. */
  thresholdRange: { min: number; max: number; step: number; calibrated: number | null };
  /** Embedders that have vectors in the library, with how many. */
  embeddedModels: Array<{ modelId: string; count: number }>;
}

export interface ClusterReport {
  runId: number;
  threshold: number;
  faces: number;
  clusters: number;
  unclustered: number;
  keptUserDecisions: number;
  seconds: number;
}

// ---------- app views (issue #16): the photo timeline and search's cut-off ----------

/** Which photos a timeline shows: with every one of personIds, dated within from..to (YYYY-MM-DD, inclusive). */
export interface TimelineQuery {
  personIds?: number[];
  from?: string;
  to?: string;
}

export interface TimelinePhoto {
  photoId: number;
  version: string;
  width: number | null;
  height: number | null;
  /** ISO 8601 local time: the date taken (EXIF, XMP, a video's QuickTime date), else the file's modification time. */
  date: string;
  dateSource: DateSourceName;
}

/** Where a photo's date comes from. */
export type DateSourceName = 'exif' | 'xmp' | 'quicktime' | 'file';

/** A month of the timeline (newest first): 'YYYY-MM' and how many photos it holds. */
export interface TimelineMonth {
  month: string;
  count: number;
}

/** Where a photo sits in its timeline, for previous / next. */
export interface PhotoNeighbours {
  previous: number | null;
  next: number | null;
  /** 0-based position and the timeline's size; index -1 when the photo is not in it. */
  index: number;
  total: number;
  date: string;
  dateSource: DateSourceName;
}

/** Where search by example stops calling a face plausible, and where that number comes from. */
export interface SearchCutoff {
  distance: number;
  source: string;
}

// ---------- methods ----------

/** Method name → [request, response]. */
export interface ApiMethods {
  'app.info': [Record<string, never>, { version: string; database: string; transport: 'http' | 'ipc' }];

  'libraries.list': [Record<string, never>, { roots: RootInfo[] }];
  /** path: an absolute folder that exists. Adding one already there returns it. */
  'libraries.add': [{ path: string }, RootInfo];
  /** A folder with photos needs forgetPhotos: true (its photos, faces and the decisions on them are deleted). */
  /** persons: people whose every face was in the folder, forgotten with it. */
  'libraries.remove': [{ rootId: number; forgetPhotos?: boolean }, { photos: number; faces: number; persons: number }];
  /** Scans the given folders (default: all). Refused while a scan runs. */
  'libraries.startScan': [{ rootIds?: number[] }, ScanStatus];
  /** Stops after the photos in flight; the next scan resumes where this one stopped. */
  'libraries.pauseScan': [Record<string, never>, ScanStatus];
  'libraries.scanStatus': [Record<string, never>, ScanStatus];
  /** Every file that failed (not readable, not an image, damaged...), with its reason and when. */
  'libraries.failures': [Record<string, never>, { failures: FailureInfo[] }];
  /** Tries failed files again (default: all): marked for analysis, their folders scanned unless a scan is running. */
  'libraries.retryFailures': [{ photoIds?: number[] }, { retried: number; scanStarted: boolean }];
  /**
   * Writes the user's named faces as MWG face regions into `.xmp` sidecars, or into the photos themselves with
   * inPlace (the user's explicit consent). personId: only that person's faces.
   */
  'libraries.exportXmp': [{ personId?: number; inPlace?: boolean }, { photos: number; regions: number; written: number; failed: ScanFailure[] }];

  /** Persons and unnamed clusters, largest first. */
  'people.list': [{ includeHidden?: boolean }, { entries: PeopleEntry[] }];
  /** Names the cluster's faces. A name that already exists adds them to that person (a merge). */
  'people.nameCluster': [{ clusterId: number; name: string; dropContradictions?: boolean }, { personId: number; merged: boolean }];
  /** name null unnames. A name another person has is refused unless mergeIfTaken, which merges into that person. */
  'people.rename': [{ personId: number; name: string | null; mergeIfTaken?: boolean; dropContradictions?: boolean }, { personId: number; merged: boolean }];
  /** Puts `from` into `into`. Two clusters become one unnamed person. */
  'people.merge': [{ from: PeopleRef; into: PeopleRef; dropContradictions?: boolean }, { personId: number }];
  'people.hide': [{ personId: number; hidden: boolean }, PersonInfo];
  'people.favourite': [{ personId: number; favourite: boolean }, PersonInfo];
  /** YYYY-MM-DD, or null. */
  'people.setBirthDate': [{ personId: number; birthDate: string | null }, PersonInfo];
  /** The face must be the person's. */
  'people.setCover': [{ personId: number; faceId: number | null }, PersonInfo];
  'people.names': [{ prefix?: string }, { names: Array<{ personId: number; name: string }> }];

  'person.get': [{ personId: number }, { person: PersonInfo; faceCount: number; photos: PersonPhoto[] }];
  /** Faces of a person or cluster in id order, a page at a time: pass the last faceId as afterId. */
  'faces.list': [{ ref: PeopleRef; afterId?: number; limit?: number }, { faces: FaceItem[]; total: number }];
  /** Faces in no person and no group (clustering left them out, or "not this person" took them out): no other view lists them. */
  'faces.loose': [{ afterId?: number; limit?: number }, { faces: FaceItem[]; total: number }];
  /** "Not this person": a cannot-link constraint; the faces leave the person. */
  'faces.notThisPerson': [{ faceIds: number[]; personId: number }, { changed: number }];
  /** The user says these faces are that person. */
  'faces.move': [{ faceIds: number[]; personId: number }, { changed: number }];
  /** Like move, by name: a new name creates the person; null says the faces are nobody. */
  'faces.assign': [{ faceIds: number[]; name: string | null }, { personId: number | null; created: boolean }];

  /** Faces nobody is assigned to, each with its nearest named person, most alike first. */
  'unsorted.suggestions': [{ limit?: number }, { suggestions: Suggestion[]; unsorted: number }];
  /** Yes: the faces (faceIds, default just faceId) are the person. */
  'unsorted.confirm': [{ faceId: number; personId: number; faceIds?: number[] }, { ok: true }];
  /** No: the faces are not the person (remembered; they are never offered to that person again). */
  'unsorted.reject': [{ faceId: number; personId: number; faceIds?: number[] }, { ok: true }];

  /** The user's decisions, newest first. */
  'history.list': [{ limit?: number }, { entries: HistoryEntry[] }];
  /** Reverts the last `count` (default 1) decisions not yet undone, newest first; returns those undone. */
  'history.undo': [{ count?: number }, { undone: HistoryEntry[] }];
  /** Makes the next `count` (default 1) undone decisions again, in the order they were made; returns those redone. */
  'history.redo': [{ count?: number }, { redone: HistoryEntry[] }];

  /** Adapts the embedder to the named people (triplet fine-tuning); `force` applies it without a held-out gain. */
  'learn.finetune': [{ force?: boolean }, FineTuneSummary];
  /** Switches back to the base embedder. */
  'learn.rollback': [Record<string, never>, { status: 'rolled-back' | 'nothing-to-roll-back'; reason: string }];

  /** Photos in which every named person appears, newest first; from/to (YYYY-MM-DD, inclusive) limit the date. */
  'search.byNames': [{ names: string[]; from?: string; to?: string }, { photos: PhotoItem[]; unknownNames: string[] }];
  /** Most alike first; the first `plausible` results lie within `cutoff` (the rest are for "show more"). */
  'search.byFace': [{ faceId: number; limit?: number }, { results: SimilarFace[]; plausible: number; cutoff: SearchCutoff }];
  /** A photo the user dropped (base64, at most 20 MB): its largest face is the query. */
  'search.byImage': [{ imageBase64: string; limit?: number }, { queryBox: Box | null; facesFound: number; results: SimilarFace[]; plausible: number; cutoff: SearchCutoff }];

  'photo.get': [{ photoId: number }, { photo: PhotoItem; faces: FaceItem[] }];
  /** A face the user drew: landmarks are found inside the box, then it is embedded like any other. */
  'photo.addManualFace': [{ photoId: number; box: Box; name?: string | null }, { face: FaceItem }];

  'settings.get': [Record<string, never>, SettingsInfo];
  'settings.set': [
    {
      threshold?: number; linkage?: 'average' | 'single' | 'complete'; minClusterSize?: number; detector?: string; embedder?: string;
      /** Cores a scan may use; null goes back to the default (all but one on 4+ cores). */
      scanCores?: number | null;
      /** The smallest face scans look for, px; null goes back to the default, 40. */
      smallestFace?: number | null;
      /**
       * The networks' numbers: 'fp32' (the default); 'int8-embedder' embeds in int8, 2.3x faster; 'int8' also detects in
       * int8 (onnx backend only); null goes back to the default.
       */
      precision?: 'fp32' | 'int8-embedder' | 'int8' | null;
    },
    SettingsInfo,
  ];
  /** How many clusters a threshold would give, without changing anything. */
  'settings.previewThreshold': [{ threshold: number }, { clusters: number; faces: number; unclustered: number }];
  /** Deletes every face, embedding, person and decision; photos and folders stay. confirm must be 'forget'. */
  'settings.forgetAllFaceData': [{ confirm: 'forget' }, { faces: number; persons: number }];

  'cluster.run': [{ threshold?: number; minClusterSize?: number }, ClusterReport];

  // ----- app views (issue #16) -----
  /** Every photo (ok status) by date, newest first, as months with counts. */
  'photos.timeline': [TimelineQuery, { months: TimelineMonth[]; total: number }];
  /** A page of the same order: photos offset .. offset + limit - 1. */
  'photos.page': [TimelineQuery & { offset: number; limit: number }, { photos: TimelinePhoto[] }];
  /** The photos before and after photoId in that order, and its date with where the date comes from. */
  'photos.neighbours': [TimelineQuery & { photoId: number }, PhotoNeighbours];
}

export type ApiMethod = keyof ApiMethods;
export type ApiRequest<M extends ApiMethod> = ApiMethods[M][0];
export type ApiResponse<M extends ApiMethod> = ApiMethods[M][1];

/** Every method, for registration and allow-lists (checked against ApiMethods by the handlers' types). */
export const API_METHODS = [
  'app.info',
  'libraries.list', 'libraries.add', 'libraries.remove', 'libraries.startScan', 'libraries.pauseScan', 'libraries.scanStatus',
  'libraries.exportXmp', 'libraries.failures', 'libraries.retryFailures',
  'people.list', 'people.nameCluster', 'people.rename', 'people.merge', 'people.hide', 'people.favourite',
  'people.setBirthDate', 'people.setCover', 'people.names',
  'person.get', 'faces.list', 'faces.loose', 'faces.notThisPerson', 'faces.move', 'faces.assign',
  'unsorted.suggestions', 'unsorted.confirm', 'unsorted.reject',
  'history.list', 'history.undo', 'history.redo',
  'learn.finetune', 'learn.rollback',
  'search.byNames', 'search.byFace', 'search.byImage',
  'photo.get', 'photo.addManualFace',
  'settings.get', 'settings.set', 'settings.previewThreshold', 'settings.forgetAllFaceData',
  'cluster.run',
  'photos.timeline', 'photos.page', 'photos.neighbours',
] as const satisfies readonly ApiMethod[];

// ---------- results and errors ----------

/** Why a call failed: `name` says what kind of failure, `field` which argument (or stored field) it concerns. */
export interface ApiError {
  name: 'ValidationError' | 'NotFoundError' | 'ConflictError' | 'ProtectedDataError' | 'MergeConflictError' | 'BusyError' | 'UnknownMethodError' | 'InternalError' | string;
  message: string;
  field?: string;
  /** MergeConflictError: the faces whose "not this person" decisions the change would contradict. */
  faceIds?: number[];
}

/** What crosses the wire for one call, over IPC and HTTP alike. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

// ---------- progress events ----------

export type ApiEvent =
  | { topic: 'scan'; status: ScanStatus }
  | { topic: 'cluster'; stage: string; done: number; total: number }
  | { topic: 'changed'; what: 'people' | 'faces' | 'libraries' | 'settings' };

// ---------- transports ----------

/** The one channel IPC calls travel on; the preload forwards nothing else. */
export const IPC_CHANNEL = 'facet:api';
/** The channel main pushes ApiEvents on. */
export const IPC_EVENT_CHANNEL = 'facet:event';
/** HTTP: POST /api/<method> with this header carrying the session token. */
export const TOKEN_HEADER = 'x-facet-token';

/** What the preload exposes as window.facet. */
export interface FacetBridge {
  invoke(method: string, request: unknown): Promise<ApiResult<unknown>>;
  /** Returns an unsubscribe function. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

/** Media URLs: the HTTP bridge serves them under /media/, Electron under facet-media://media/. */
export const MEDIA = {
  face: (faceId: number) => `face/${faceId}`,
  /** A video's frame at `timeSeconds` (where its faces were seen) with t; a photo ignores it. */
  photo: (photoId: number, version: string, timeSeconds?: number) =>
    `photo/${photoId}?v=${encodeURIComponent(version)}${timeSeconds !== undefined ? `&t=${timeSeconds}` : ''}`,
} as const;
