/**
 * The API: one handler per contract method, over the store, the scan job, the clustering service and the face
 * analyser, behind one dispatcher that every transport (IPC, HTTP, tests) calls. The dispatcher checks the
 * method name against the contract, validates the request with its schema before any handler runs (so a
 * malformed request changes nothing), and turns every failure into an ApiError value.
 */
import type { ApiEvent, ApiMethod, ApiRequest, ApiResponse, ApiResult } from './contract.ts';
import { API_METHODS } from './contract.ts';
import { toApiError, UnknownMethodError } from './errors.ts';
import { EventBus } from './events.ts';
import { parseRequest } from './schemas.ts';
import { createContext, type ApiContext } from './services/context.ts';
import type { FaceAnalyser } from './services/faceAnalyser.ts';
import {
  assignFaces, confirmSuggestion, moveFaces, notThisPerson, rejectSuggestion, suggestions,
} from './services/faces.ts';
import { addRoot, listFailures, listRoots, removeRoot, retryFailures, startScan } from './services/libraries.ts';
import {
  favouritePerson, getPerson, hidePerson, listFaces, listLooseFaces, listPeople, mergePeople, nameCluster, personNames,
  renamePerson, setBirthDate, setCover,
} from './services/people.ts';
import { addManualFace, getPhoto, photoNeighbours, timeline, timelinePage } from './services/photos.ts';
import { history, redo, runFineTune, runRollback, undo } from './services/learning.ts';
import { ScanJob, type ScanRunner } from './services/scanJob.ts';
import { exportNamesToXmp } from './services/xmpExport.ts';
import { searchByFace, searchByImage, searchByNames } from './services/search.ts';
import {
  forgetAll, getSettings, previewThreshold, runClustering, setSettings, type ClusterService,
} from './services/settings.ts';
import { asDiskFullError, type Store } from '../store/index.ts';

export type Handlers = { [M in ApiMethod]: (request: ApiRequest<M>) => ApiResponse<M> | Promise<ApiResponse<M>> };

export interface ApiOptions {
  store: Store;
  databasePath: string;
  analyser: FaceAnalyser;
  runScan: ScanRunner;
  cluster: ClusterService;
  transport: 'http' | 'ipc';
  version?: string;
  /** Analysis workers fixed for this session (`facet serve --workers N`): Settings says so. */
  scanWorkersOverride?: number;
}

export interface Api {
  /** Runs one call: never throws, every failure is an ApiError value. */
  call(method: string, request: unknown): Promise<ApiResult<unknown>>;
  readonly events: EventBus;
  readonly scan: ScanJob;
  readonly context: ApiContext;
  /** Stops the scan (after the photos in flight) and frees the models. The store is the caller's to close. */
  close(): Promise<void>;
}

/** What a successful call changed, so other windows refresh. */
const CHANGES: Partial<Record<ApiMethod, Extract<ApiEvent, { topic: 'changed' }>['what']>> = {
  'libraries.add': 'libraries', 'libraries.remove': 'libraries', 'libraries.retryFailures': 'libraries',
  'people.nameCluster': 'people', 'people.rename': 'people', 'people.merge': 'people', 'people.hide': 'people',
  'people.favourite': 'people', 'people.setBirthDate': 'people', 'people.setCover': 'people',
  'faces.notThisPerson': 'faces', 'faces.move': 'faces', 'faces.assign': 'faces',
  'unsorted.confirm': 'faces', 'unsorted.reject': 'faces', 'photo.addManualFace': 'faces',
  'history.undo': 'people', 'history.redo': 'people', 'learn.finetune': 'people', 'learn.rollback': 'people',
  'settings.set': 'settings', 'settings.forgetAllFaceData': 'people', 'cluster.run': 'people',
};

export function createHandlers(ctx: ApiContext, scan: ScanJob, options: Pick<ApiOptions, 'cluster' | 'transport' | 'version'>): Handlers {
  const { cluster } = options;
  return {
    'app.info': () => ({ version: options.version ?? '0.1.0', database: ctx.databasePath, transport: options.transport }),

    'libraries.list': () => listRoots(ctx),
    'libraries.add': (r) => addRoot(ctx, r),
    'libraries.remove': (r) => removeRoot(ctx, scan, r),
    'libraries.startScan': (r) => startScan(ctx, scan, r),
    'libraries.pauseScan': () => scan.pause(),
    'libraries.scanStatus': () => scan.status(),
    'libraries.failures': () => listFailures(ctx),
    'libraries.retryFailures': (r) => retryFailures(ctx, scan, r),
    'libraries.exportXmp': (r) => exportNamesToXmp(ctx, r),

    'people.list': (r) => listPeople(ctx, r),
    'people.nameCluster': (r) => nameCluster(ctx, r),
    'people.rename': (r) => renamePerson(ctx, r),
    'people.merge': (r) => mergePeople(ctx, r),
    'people.hide': (r) => hidePerson(ctx, r),
    'people.favourite': (r) => favouritePerson(ctx, r),
    'people.setBirthDate': (r) => setBirthDate(ctx, r),
    'people.setCover': (r) => setCover(ctx, r),
    'people.names': (r) => personNames(ctx, r),

    'person.get': (r) => getPerson(ctx, r),
    'faces.list': (r) => listFaces(ctx, r),
    'faces.loose': (r) => listLooseFaces(ctx, r),
    'faces.notThisPerson': (r) => notThisPerson(ctx, r),
    'faces.move': (r) => moveFaces(ctx, r),
    'faces.assign': (r) => assignFaces(ctx, r),

    'unsorted.suggestions': (r) => suggestions(ctx, r),
    'unsorted.confirm': (r) => confirmSuggestion(ctx, r),
    'unsorted.reject': (r) => rejectSuggestion(ctx, r),
    'history.list': (r) => history(ctx, r),
    'history.undo': (r) => undo(ctx, r),
    'history.redo': (r) => redo(ctx, r),
    'learn.finetune': (r) => runFineTune(ctx, r),
    'learn.rollback': () => runRollback(ctx),

    'search.byNames': (r) => searchByNames(ctx, r),
    'search.byFace': (r) => searchByFace(ctx, r),
    'search.byImage': (r) => searchByImage(ctx, r),

    'photo.get': (r) => getPhoto(ctx, r),
    'photo.addManualFace': (r) => addManualFace(ctx, r),

    'settings.get': () => getSettings(ctx),
    'settings.set': (r) => setSettings(ctx, r),
    'settings.previewThreshold': (r) => previewThreshold(ctx, cluster, r),
    'settings.forgetAllFaceData': () => forgetAll(ctx),

    'cluster.run': (r) => runClustering(ctx, cluster, r),

    'photos.timeline': (r) => timeline(ctx, r),
    'photos.page': (r) => timelinePage(ctx, r),
    'photos.neighbours': (r) => photoNeighbours(ctx, r),
  };
}


export function isApiMethod(method: unknown): method is ApiMethod {
  return typeof method === 'string' && (API_METHODS as readonly string[]).includes(method);
}

export function createApi(options: ApiOptions): Api {
  const events = new EventBus();
  const context = createContext({
    store: options.store, events, analyser: options.analyser, databasePath: options.databasePath, scanWorkersOverride: options.scanWorkersOverride,
  });
  const scan = new ScanJob(
    options.store,
    options.runScan,
    () => context.embedderId(),
    (status) => {
      if (status.state !== 'running') context.invalidateVectors();
      events.emit({ topic: 'scan', status });
      // The scan pipeline sorted the new faces into people: the people views refresh.
      if ((status.state === 'done' || status.state === 'cancelled') && status.finishedAt !== null && (status.summary?.faces || status.summary?.embedded)) {
        events.emit({ topic: 'changed', what: 'people' });
      }
    },
  );
  const handlers = createHandlers(context, scan, options);

  return {
    events,
    scan,
    context,
    async call(method, raw) {
      try {
        if (!isApiMethod(method)) throw new UnknownMethodError(String(method));
        const request = parseRequest(method, raw);
        const handler = handlers[method] as (request: unknown) => unknown;
        const value = await handler(request);
        const what = CHANGES[method];
        if (what) events.emit({ topic: 'changed', what });
        return { ok: true, value };
      } catch (error) {
        const apiError = toApiError(asDiskFullError(error, options.databasePath) ?? error);
        if (apiError.name === 'InternalError') console.error(`facet: ${String(method)} failed:`, error);
        return { ok: false, error: apiError };
      }
    },
    async close() {
      scan.pause();
      await scan.settled();
      await options.analyser.close();
    },
  };
}
