/**
 * The app keeps its library folders watched while it runs: each burst of file changes becomes a scan on the
 * API's scan job (so the UI shows its progress like any scan, and new faces are sorted after it), waiting for
 * a scan already running rather than failing. Folders added or removed in the app are watched or dropped.
 */
import type { RegionReader } from '../../xmp/exiftoolMetadata.ts';
import { LibraryWatcher } from '../../library/watch.ts';
import { watchRescan } from '../../people/watchRescan.ts';
import type { Store } from '../../store/index.ts';
import { BusyError } from '../errors.ts';
import type { Api } from '../handlers.ts';

/** Runs a scan of `roots` on the job, after any scan in progress; resolves when it has finished. */
export async function scanWhenFree(scan: Api['scan'], roots: string[]): Promise<void> {
  for (;;) {
    await scan.settled();
    try {
      scan.start(roots);
      break;
    } catch (error) {
      if (!(error instanceof BusyError)) throw error; // someone started one in between: wait for it too
    }
  }
  await scan.settled();
}

export async function startLibraryWatch(api: Api, store: Store, reader?: RegionReader, options: { debounceMs?: number } = {}): Promise<LibraryWatcher> {
  const onlineRoots = () => store.roots.list().filter((root) => root.online).map((root) => root.path);
  const watcher = await LibraryWatcher.start({
    roots: onlineRoots(),
    debounceMs: options.debounceMs,
    onError: (error) => console.error('facet: watching the library:', error.message),
    rescan: watchRescan({
      store,
      reader,
      scan: (roots) => scanWhenFree(api.scan, roots),
      onReport: (_report, sidecars) => {
        if (sidecars.named > 0) api.events.emit({ topic: 'changed', what: 'faces' });
      },
    }),
  });
  api.events.subscribe((event) => {
    if (event.topic === 'changed' && event.what === 'libraries') watcher.setRoots(onlineRoots());
  });
  return watcher;
}
