/**
 * Builders for the API's tests: an API over an in-memory store, a seeded library of synthetic faces
 * (three people, unit vectors around one direction each), and fakes for the models and the scan.
 */
import { DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import { mulberry32 } from '../core/random.ts';
import type { LibraryScanReport } from '../people/scanPipeline.ts';
import { createTestStore } from '../store/testing.ts';
import type { Store } from '../store/index.ts';
import type { ApiMethod, ApiRequest, ApiResponse, Box } from './contract.ts';
import { createApi, type Api } from './handlers.ts';
import { clusterService } from './openApi.ts';
import type { FaceAnalyser } from './services/faceAnalyser.ts';
import type { ScanRunner } from './services/scanJob.ts';

export const DIMENSIONS = 128;

function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
}

export function unit(values: Float32Array): Float32Array {
  const norm = Math.hypot(...values);
  return values.map((v) => v / norm);
}

/** A direction per person and faces scattered tightly around it (squared distance ≈ 0.03 within a person, ≈ 2 across). */
export function personVectors(seed: number, count: number): Float32Array[] {
  const next = mulberry32(seed);
  const centre = unit(Float32Array.from({ length: DIMENSIONS }, () => gaussian(next)));
  return Array.from({ length: count }, () => unit(centre.map((v) => v + 0.01 * gaussian(next))));
}

export interface SeededLibrary {
  rootId: number;
  /** Face ids per synthetic person: ann (5), bob (4), cat (3). */
  faces: { ann: number[]; bob: number[]; cat: number[] };
  /** Photo ids; photos[0] holds ann and bob, photos[1] ann and cat. */
  photos: number[];
  vectors: Map<number, Float32Array>;
}

const box: Box = { x: 10, y: 20, width: 100, height: 120 };

/**
 * Three people in ten photos. Photo dates run from 2010 on, one a year, so ages are easy to check.
 * photos[0]: ann + bob, photos[1]: ann + cat, the rest one face each.
 */
export function seedLibrary(store: Store, modelId = DEFAULT_EMBEDDER): SeededLibrary {
  const root = store.roots.add('/photos');
  const vectors = new Map<number, Float32Array>();
  const people = { ann: personVectors(1, 5), bob: personVectors(2, 4), cat: personVectors(3, 3) };
  const layout: Array<Array<keyof typeof people>> = [['ann', 'bob'], ['ann', 'cat'], ['ann'], ['ann'], ['ann'], ['bob'], ['bob'], ['bob'], ['cat'], ['cat']];
  const used = { ann: 0, bob: 0, cat: 0 };
  const faces: SeededLibrary['faces'] = { ann: [], bob: [], cat: [] };
  const photos: number[] = [];
  layout.forEach((who, i) => {
    const photoId = store.photos.upsert({
      rootId: root.id, path: `/photos/p${i}.jpg`, size: 1000 + i, mtimeMs: 1, contentHash: `h${i}`,
      width: 640, height: 480, takenAt: `${2010 + i}-06-15T12:00:00`,
    }).id;
    photos.push(photoId);
    const ids = store.faces.insertDetected(photoId, 'test-detector', who.map((_, k) => ({
      box: { ...box, x: box.x + 200 * k }, landmarks: null, score: 0.9, quality: 0.5 + 0.01 * i, thumbnail: Buffer.from([0xff, 0xd8, 0xff, 0xd9]),
    })));
    who.forEach((name, k) => {
      const vector = people[name][used[name]++]!;
      store.embeddings.put(ids[k]!, modelId, vector);
      vectors.set(ids[k]!, vector);
      faces[name].push(ids[k]!);
    });
  });
  return { rootId: root.id, faces, photos, vectors };
}

export class FakeAnalyser implements FaceAnalyser {
  readonly embedderId = DEFAULT_EMBEDDER;
  /** What findFaces returns next. */
  found: Array<{ box: Box; embedding: Float32Array; quality: number | null }> = [];
  /** The embedding describeBox returns. */
  described = unit(Float32Array.from({ length: DIMENSIONS }, (_, i) => (i === 0 ? 1 : 0)));
  calls: string[] = [];
  closed = false;

  async findFaces(file: string) {
    this.calls.push(`findFaces ${file}`);
    return this.found;
  }

  async describeBox(file: string, box: Box) {
    this.calls.push(`describeBox ${file}`);
    const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
    const landmarks = [
      { x: cx - 20, y: cy - 20 }, { x: cx + 20, y: cy - 20 }, { x: cx, y: cy }, { x: cx - 15, y: cy + 25 }, { x: cx + 15, y: cy + 25 },
    ];
    return { landmarks, embedding: this.described, quality: 0.7, thumbnail: Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]) };
  }

  backend() {
    return 'fake';
  }

  async close() {
    this.closed = true;
  }
}

/** A scan that reports progress and finishes when told to (or at once). */
export function fakeScanRunner(report: Partial<LibraryScanReport> = {}): ScanRunner & { calls: string[][] } {
  const calls: string[][] = [];
  const runner = (async (options) => {
    calls.push(options.roots);
    options.onProgress?.({ stage: 'analyse', done: 1, total: 2 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    return {
      roots: options.roots, offlineRoots: [], files: 2, unchanged: 0, added: 2, changed: 0, moved: 0, missing: 0,
      analysed: 2, faces: 3, embedded: 0, namesImported: 0, facesGone: [], failed: [{ file: '/photos/bad.jpg', reason: 'corrupt', message: '/photos/bad.jpg is corrupt' }],
      seconds: 0.01, status: options.signal?.aborted ? 'cancelled' : 'done',
      embedderId: 'fake', libraryModelId: 'fake', adapted: 0, ...report,
    } satisfies LibraryScanReport;
  }) as ScanRunner & { calls: string[][] };
  runner.calls = calls;
  return runner;
}

export function createTestApi(options: { store?: Store; runScan?: ScanRunner } = {}): { api: Api; store: Store; analyser: FakeAnalyser } {
  const store = options.store ?? createTestStore();
  const analyser = new FakeAnalyser();
  const api = createApi({
    store, databasePath: ':memory:', analyser, runScan: options.runScan ?? fakeScanRunner(), cluster: clusterService, transport: 'ipc',
  });
  return { api, store, analyser };
}

/** Calls and unwraps, failing the test with the ApiError when the call failed. */
export async function ok<M extends ApiMethod>(api: Api, method: M, request: ApiRequest<M>): Promise<ApiResponse<M>> {
  const result = await api.call(method, request);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.name}: ${result.error.message}`);
  return result.value as ApiResponse<M>;
}
