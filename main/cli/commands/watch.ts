import { ExifToolMetadata } from '../../xmp/exiftoolMetadata.ts';
import { LibraryWatcher } from '../../library/watch.ts';
import { watchRescan } from '../../people/watchRescan.ts';
import { AnalysisPool } from '../../faces/analysisPool.ts';
import type { PhotoAnalyser } from '../../faces/analysisPool.ts';
import type { ScanReport } from '../../people/libraryScan.ts';
import { scanIntoPeople, type ScanNetworks } from '../../people/scanPipeline.ts';
import { openStore } from '../../store/index.ts';
import { resolveDatabasePath } from '../database.ts';
import type { Command } from '../main.ts';

function summary(report: ScanReport): string {
  return `${report.added} new, ${report.changed} changed, ${report.moved} moved, ${report.missing} gone; ` +
    `${report.analysed} analysed, ${report.faces} faces, ${report.namesImported} names from XMP` +
    (report.failed.length > 0 ? `; ${report.failed.length} unreadable: ${report.failed.map((f) => f.file).join(', ')}` : '');
}

export const watchCommand: Command = {
  summary: 'scan folders, then keep the library up to date as photos are added, changed, moved or deleted (Ctrl-C stops)',
  usage: 'facet watch DIR... [--workers N] [--debounce MS] [--poll] [--json]',
  options: { workers: { type: 'string' }, debounce: { type: 'string' }, poll: { type: 'boolean' } },
  async run({ args, values, json, out, err }) {
    const store = openStore(resolveDatabasePath());
    const reader = new ExifToolMetadata({ onWarning: err });
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    const debounceMs = values.debounce === undefined ? 1000 : Number(values.debounce);
    if (!(Number.isInteger(debounceMs) && debounceMs >= 0)) throw new Error(`--debounce must be milliseconds, got "${String(values.debounce)}"`);
    // One pool for the whole session, made on first need (each rescan would otherwise load the models again),
    // and made again only when the networks change (another detector or embedder chosen meanwhile).
    let pool: { key: string; started: Promise<AnalysisPool> } | undefined;
    const sharedPool = async (networks: ScanNetworks): Promise<PhotoAnalyser> => {
      const key = `${networks.detectorId}|${networks.embedderId}`;
      if (pool?.key !== key) {
        await (await pool?.started)?.close();
        pool = { key, started: AnalysisPool.create({ workers, pipeline: { detector: networks.detectorId, embedder: networks.embedderId } }) };
      }
      const started = await pool.started;
      return { workers: started.workers, analyse: (file) => started.analyse(file), embedInBox: (file, box) => started.embedInBox(file, box), close: async () => {} };
    };
    const scan = (roots: string[]) => scanIntoPeople({ store, roots, reader, createPool: sharedPool });
    try {
      const roots = args.length > 0 ? args : store.roots.list().map((root) => root.path);
      if (roots.length === 0) throw new Error('no library folders: name at least one, as in `facet watch ~/Pictures`');
      const first = await scan(roots);
      out(json ? JSON.stringify({ event: 'scan', ...first }) : `scanned: ${summary(first)}`);
      const watcher = await LibraryWatcher.start({
        roots: first.roots, debounceMs, usePolling: values.poll === true,
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
};
