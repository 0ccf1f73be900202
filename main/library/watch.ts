/**
 * Watching the library folders while the app runs. File events (chokidar: inotify, FSEvents,
 * ReadDirectoryChangesW) only say which roots changed; each burst of them, once quiet for `debounceMs`, becomes
 * one incremental rescan of those roots by the caller (scanLibrary): unchanged files are skipped by size and
 * mtime, a move arrives as an unlink and an add in the same burst and is matched by content hash, so its faces
 * and names follow it, and a deleted photo is only marked missing. Rescans never overlap: events during one
 * queue the next. Sidecar (.xmp) changes are passed on by path, for their names to be read again.
 */
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isImagePath, isSidecarPath } from './walk.ts';

export interface WatchBatch {
  /** Library roots with changes, to rescan. */
  roots: string[];
  /** .xmp files added or changed. */
  sidecars: string[];
}

export interface LibraryWatcherOptions {
  roots: readonly string[];
  /** Runs one rescan; awaited before the next starts. */
  rescan(batch: WatchBatch): Promise<void>;
  /** Quiet time before a burst of events is acted on (default 1 s). */
  debounceMs?: number;
  /** A file must keep its size this long before it counts as written (default 500 ms): no half-copied photos. */
  stabilityMs?: number;
  /** A steady stream of events still triggers a rescan after this long (default 30 s). */
  maxWaitMs?: number;
  onError?(error: Error): void;
  /** Poll instead of native events (network shares where those do not arrive). */
  usePolling?: boolean;
}

/** Dot-names are skipped as the walk skips them; of files, only photos and sidecars are watched. */
function ignored(file: string, stats?: { isFile(): boolean }): boolean {
  if (path.basename(file).startsWith('.')) return true;
  return stats?.isFile() === true && !isImagePath(file) && !isSidecarPath(file);
}

export class LibraryWatcher {
  readonly #options: LibraryWatcherOptions;
  readonly #watcher: FSWatcher;
  #roots: string[];
  readonly #pendingRoots = new Set<string>();
  readonly #pendingSidecars = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #firstPendingAt = 0;
  #running: Promise<void> | undefined;
  #closed = false;
  #readySeen = false;

  private constructor(options: LibraryWatcherOptions, watcher: FSWatcher) {
    this.#options = options;
    this.#watcher = watcher;
    this.#roots = options.roots.map((root) => path.resolve(root));
  }

  /**
   * Resolves once the initial listing is done, so that later events are changes. With no folders yet it resolves
   * at once (chokidar 4 never says 'ready' for an empty list); folders added later with setRoots are watched.
   */
  static async start(options: LibraryWatcherOptions): Promise<LibraryWatcher> {
    const stabilityThreshold = options.stabilityMs ?? 500;
    const roots = [...options.roots].map((root) => path.resolve(root));
    const watcher = watch(roots, {
      ignoreInitial: true,
      ignored,
      // Links are not followed: the walk lists what a link inside the folder leads to by its own name, and reads
      // nothing outside it; following them, a link to a parent folder sent chokidar round a loop 40 levels deep
      // (ELOOP errors in watch and serve).
      followSymlinks: false,
      usePolling: options.usePolling ?? false,
      awaitWriteFinish: { stabilityThreshold, pollInterval: Math.max(20, Math.min(100, stabilityThreshold / 4)) },
    });
    const self = new LibraryWatcher(options, watcher);
    watcher.once('ready', () => { self.#readySeen = true; });
    watcher.on('all', (_event, file) => self.#changed(path.resolve(file)));
    watcher.on('error', (error) => options.onError?.(error instanceof Error ? error : new Error(String(error))));
    if (roots.length > 0) await self.#ready();
    return self;
  }

  /**
   * Resolves at chokidar's 'ready' (the listing of what was added is done), or when closed. chokidar says 'ready'
   * once in a watcher's life: for folders added after it, this resolves at once.
   */
  #ready(): Promise<void> {
    if (this.#readySeen) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearInterval(poll);
        resolve();
      };
      this.#watcher.once('ready', done);
      const poll = setInterval(() => { if (this.#closed) done(); }, 50);
      poll.unref();
    });
  }

  get roots(): readonly string[] {
    return this.#roots;
  }

  /**
   * Starts or stops watching roots (library folders added or removed in the app). The returned promise resolves
   * once newly added folders are listed, so that later events in them are changes (callers need not wait).
   */
  setRoots(roots: readonly string[]): Promise<void> {
    const next = roots.map((root) => path.resolve(root));
    const added = next.filter((root) => !this.#roots.includes(root));
    const removed = this.#roots.filter((root) => !next.includes(root));
    this.#roots = next;
    if (removed.length > 0) this.#watcher.unwatch(removed);
    if (added.length === 0 || this.#closed) return Promise.resolve();
    const ready = this.#ready();
    this.#watcher.add(added);
    return ready;
  }

  /** Resolves when no change is waiting and no rescan runs (tests, and a clean exit). */
  async idle(): Promise<void> {
    while (this.#pendingRoots.size > 0 || this.#running) {
      await (this.#running ?? new Promise((resolve) => setTimeout(resolve, 20)));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#watcher.close();
    await this.#running;
  }

  #changed(file: string): void {
    if (this.#closed) return;
    const root = this.#roots.find((candidate) => file === candidate || file.startsWith(candidate + path.sep));
    if (!root) return;
    this.#pendingRoots.add(root);
    if (isSidecarPath(file)) this.#pendingSidecars.add(file);
    if (!this.#timer) this.#firstPendingAt = Date.now();
    this.#schedule();
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    const waited = Date.now() - this.#firstPendingAt;
    const delay = Math.max(0, Math.min(this.#options.debounceMs ?? 1000, (this.#options.maxWaitMs ?? 30_000) - waited));
    this.#timer = setTimeout(() => void this.#flush(), delay);
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    if (this.#running) {
      // The rescan in progress may not see these changes: go again once it ends.
      await this.#running;
      if (this.#pendingRoots.size > 0 && !this.#closed) this.#schedule();
      return;
    }
    const batch: WatchBatch = { roots: [...this.#pendingRoots], sidecars: [...this.#pendingSidecars] };
    this.#pendingRoots.clear();
    this.#pendingSidecars.clear();
    if (batch.roots.length === 0 || this.#closed) return;
    this.#running = this.#options.rescan(batch).catch((error: unknown) => {
      this.#options.onError?.(error instanceof Error ? error : new Error(String(error)));
    }).finally(() => {
      this.#running = undefined;
    });
    await this.#running;
  }
}
