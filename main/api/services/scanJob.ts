/**
 * The library scan as a background job of the API: one at a time, pausable (it stops after the photos in
 * flight; the next scan resumes there, as scanLibrary is incremental), with a status that carries the
 * stage, rate and ETA the UI shows, and every file that failed with its reason.
 */
import type { ProgressEvent } from '../../core/progress.ts';
import type { LibraryScanOptions, LibraryScanReport } from '../../people/scanPipeline.ts';
import type { Store } from '../../store/index.ts';
import type { ScanStatus } from '../contract.ts';
import { BusyError } from '../errors.ts';

/** The people layer's scan pipeline (scanIntoPeople with the app's pool and XMP reader), or a fake in tests. */
export type ScanRunner = (options: Pick<LibraryScanOptions, 'store' | 'roots' | 'onProgress' | 'signal'>) => Promise<LibraryScanReport>;

export class ScanJob {
  #status: Omit<ScanStatus, 'counts'> = {
    state: 'idle', stage: null, done: 0, total: 0, ratePerSecond: null, etaSeconds: null,
    startedAt: null, finishedAt: null, failed: [], summary: null, error: null,
  };
  #stageStarted = 0;
  #controller: AbortController | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly runScan: ScanRunner,
    /** The model whose faces the status counts: the embedder in use. */
    private readonly modelIdOfCounts: () => string,
    private readonly onChange: (status: ScanStatus) => void,
    private readonly now: () => number = Date.now,
  ) {}

  status(): ScanStatus {
    const counts = this.store.photos.counts();
    const modelId = this.modelIdOfCounts();
    const faces = this.store.embeddings.models().find((m) => m.modelId === modelId)?.count ?? 0;
    return {
      ...this.#status,
      failed: [...this.#status.failed],
      counts: { photos: counts.ok, failedPhotos: counts.failed, missingPhotos: counts.missing, faces },
    };
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  /** Starts scanning `roots` (absolute folders). Refused with BusyError while a scan runs. */
  start(roots: string[]): ScanStatus {
    if (this.#running) throw new BusyError('a scan is already running; pause it first or wait for it to finish');
    const controller = new AbortController();
    this.#controller = controller;
    this.#status = {
      state: 'running', stage: 'list', done: 0, total: 0, ratePerSecond: null, etaSeconds: null,
      startedAt: this.now(), finishedAt: null, failed: [], summary: null, error: null,
    };
    this.#stageStarted = this.now();
    this.#running = this.runScan({
      store: this.store, roots, signal: controller.signal,
      onProgress: (event) => this.#progress(event),
    }).then(
      (report) => this.#finish(report),
      (error: unknown) => {
        this.#status = { ...this.#status, state: 'failed', error: error instanceof Error ? error.message : String(error), finishedAt: this.now() };
      },
    ).finally(() => {
      this.#running = undefined;
      this.#controller = undefined;
      this.onChange(this.status());
    });
    this.onChange(this.status());
    return this.status();
  }

  /** Asks the running scan to stop after the photos in flight. */
  pause(): ScanStatus {
    if (this.#controller && !this.#controller.signal.aborted) {
      this.#controller.abort();
      this.#status = { ...this.#status, state: 'stopping' };
      this.onChange(this.status());
    }
    return this.status();
  }

  /** Resolves when the running scan (if any) has finished. */
  async settled(): Promise<void> {
    await this.#running;
  }

  #progress(event: ProgressEvent): void {
    const now = this.now();
    if (event.stage !== this.#status.stage) this.#stageStarted = now;
    const seconds = (now - this.#stageStarted) / 1000;
    const rate = seconds > 0.5 && event.done > 0 ? event.done / seconds : null;
    this.#status = {
      ...this.#status,
      stage: event.stage,
      done: event.done,
      total: event.total,
      ratePerSecond: rate,
      etaSeconds: rate ? Math.max(0, (event.total - event.done) / rate) : null,
    };
    this.onChange(this.status());
  }

  #finish(report: LibraryScanReport): void {
    const { files, added, changed, moved, missing, analysed, faces, embedded } = report;
    const facesGone = report.facesGone.map(({ file, person }) => ({ file, person }));
    this.#status = {
      ...this.#status,
      state: report.status === 'cancelled' ? 'cancelled' : 'done',
      etaSeconds: null,
      finishedAt: this.now(),
      failed: report.failed.map(({ file, reason, message }) => ({ file, reason, message })),
      summary: { files, added, changed, moved, missing, analysed, faces, embedded, facesGone },
    };
  }
}
