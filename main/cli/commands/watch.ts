import type { AnalysisPool, PhotoAnalyser } from '../../faces/analysisPool.ts';
import type { ScanReport } from '../../people/libraryScan.ts';
import type { LibraryScanReport, ScanNetworks } from '../../people/scanPipeline.ts';
import { describeIncremental } from './cluster.ts';
import { openStore } from '../../store/index.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';

function summary(report: ScanReport | LibraryScanReport): string {
  const sorted = 'clustering' in report && report.clustering && report.clustering.newFaces > 0 ? `; ${describeIncremental(report.clustering)}` : '';
  return `${report.added} new, ${report.changed} changed, ${report.moved} moved, ${report.missing} gone; ` +
    `${report.analysed} analysed, ${report.faces} faces, ${report.namesImported} names from XMP` +
    (report.embedded > 0 ? `, ${report.embedded} faces embedded with a new embedder` : '') +
    (report.facesGone.length > 0 ? `; no longer in their changed file, removed: ${report.facesGone.map((g) => `${g.person ?? 'a face'} in ${g.file}`).join(', ')}` : '') +
    (report.failed.length > 0 ? `; ${report.failed.length} unreadable: ${report.failed.map((f) => f.file).join(', ')}` : '') + sorted;
}

export const watchCommand = defineCommand({
  summary: 'scan folders, then keep the library up to date as photos are added, changed, moved or deleted (Ctrl-C stops)',
  usage: 'facet watch DIR... [--workers N] [--debounce MS] [--poll] [--json]',
  options: {
    workers: { type: 'integer', min: 0, description: 'analysis worker threads (default: one per core; 0: in this thread)' },
    debounce: { type: 'integer', min: 0, default: 1000, placeholder: 'MS', description: 'wait this long after the last change' },
    poll: { type: 'boolean', description: 'poll the folders (network shares) instead of file-system events' },
  },
  async run({ args, values, json, database, backend, precisionOption, out, err }) {
    // The networks' modules load only now, so that --help and a mistyped option answer at once.
    const [{ ExifToolMetadata }, { LibraryWatcher }, { watchRescan }, { AnalysisPool }, { scanIntoPeople }] = await Promise.all([
      import('../../xmp/exiftoolMetadata.ts'), import('../../library/watch.ts'), import('../../people/watchRescan.ts'),
      import('../../faces/analysisPool.ts'), import('../../people/scanPipeline.ts'),
    ]);
    const { workers, debounce: debounceMs } = values;
    const store = openStore(database);
    const reader = new ExifToolMetadata({ onWarning: err });
    // One pool for the whole session, made on first need (each rescan would otherwise load the models again),
    // and made again only when the networks change (another detector, embedder or smallest face chosen meanwhile).
    let pool: { key: string; started: Promise<AnalysisPool> } | undefined;
    const sharedPool = async (networks: ScanNetworks): Promise<PhotoAnalyser> => {
      const key = `${networks.detectorId}|${networks.embedderId}|${networks.smallestFace}|${networks.precision}`;
      if (pool?.key !== key) {
        await (await pool?.started)?.close();
        pool = {
          key,
          started: AnalysisPool.create({
            workers, pipeline: { detector: networks.detectorId, embedder: networks.embedderId, backend, precision: precisionOption ?? networks.precision, smallFaces: { minFace: networks.smallestFace } },
          }),
        };
      }
      const started = await pool.started;
      return {
        workers: started.workers, analyse: (file) => started.analyse(file), embedInBox: (file, box) => started.embedInBox(file, box),
        embedAt: (file, landmarks, timeSeconds) => started.embedAt(file, landmarks, timeSeconds), close: async () => {},
      };
    };
    const scan = (roots: string[]) => scanIntoPeople({ store, roots, reader, createPool: sharedPool });
    try {
      const roots = args.length > 0 ? args : store.roots.list().map((root) => root.path);
      if (roots.length === 0) throw new UsageError('no library folders yet: name at least one, as in `facet watch ~/Pictures`');
      const first = await scan(roots);
      out(json ? JSON.stringify({ event: 'scan', ...first }) : `scanned: ${summary(first)}`);
      const watcher = await LibraryWatcher.start({
        roots: first.roots, debounceMs, usePolling: values.poll,
        onError: (error) => err(`watch: ${error.message}`),
        rescan: watchRescan({
          store, reader, scan,
          onReport: (report, sidecars) => report && out(json
            ? JSON.stringify({ event: 'rescan', ...report, sidecarNames: sidecars.named })
            : `${new Date().toLocaleTimeString()} ${summary(report)}${sidecars.named > 0 ? `; ${sidecars.named} names from sidecars` : ''}`),
        }),
      });
      if (!json) out(`watching ${first.roots.join(', ')} (Ctrl-C stops)`);
      await new Promise<void>((resolve) => {
        const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await watcher.close();
      return 0;
    } finally {
      await (await pool?.started)?.close();
      await reader.dispose();
      store.close();
    }
  },
});
