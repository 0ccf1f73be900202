import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_DETECTOR } from '../../../native-models/catalog.ts';
import { ExifToolMetadata } from '../../ecosystem/exiftoolMetadata.ts';
import { registerTrainedModel } from '../../embed/userModels.ts';
import { adaptNewFaces, currentModels } from '../../learn/adapterStore.ts';
import { AnalysisPool } from '../../faces/analysisPool.ts';
import { scanLibrary } from '../../library/scan.ts';
import { sortNewFacesAfterScan } from '../../cluster/incrementalService.ts';
import { describeIncremental } from './cluster.ts';
import { openStore } from '../../store/index.ts';
import { resolveDatabasePath } from '../database.ts';
import type { Command } from '../main.ts';
import { createProgressPrinter } from '../progress.ts';

export const scanCommand: Command = {
  summary: 'scan library folders: find, align and embed every face (incremental)',
  usage: 'facet scan DIR... [--model ID|MODEL_DIR] [--detector ID] [--workers N] [--json]',
  options: {
    model: { type: 'string' },
    detector: { type: 'string' },
    workers: { type: 'string' },
  },
  async run({ args, values, json, out, err }) {
    const store = openStore(resolveDatabasePath());
    // Names already in the photos' XMP (MWG or Microsoft regions, embedded or in sidecars) are imported.
    const regions = new ExifToolMetadata({ onWarning: err });
    try {
      const roots = args.length > 0 ? args : store.roots.list().map((root) => root.path);
      if (roots.length === 0) throw new Error('no library folders: name at least one, as in `facet scan ~/Pictures`');
      const detectorId = (values.detector as string | undefined) ?? (store.settings.get('detector') as string | undefined) ?? DEFAULT_DETECTOR;
      // A fine-tuned embedder is the base network plus an adapter: scan with the base, then adapt the new faces.
      // A model folder from `facet train` is registered under the data folder and used by its id from then on.
      const model = values.model as string | undefined;
      const trained = model !== undefined && existsSync(path.join(model, 'model.json')) ? registerTrainedModel(model) : undefined;
      if (trained) err(`model ${trained.card.id} (${trained.card.description}) registered in ${path.dirname(trained.dir)}`);
      const embedderId = trained?.card.id ?? model ?? currentModels(store).base;
      const workers = values.workers === undefined ? undefined : Number(values.workers);
      if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new Error(`--workers must be a whole number >= 0, got "${values.workers}"`);
      const progress = createProgressPrinter(process.stderr);
      const controller = new AbortController();
      const stop = () => { err('stopping after the photos in flight (Ctrl-C again to abort)'); controller.abort(); process.off('SIGINT', stop); };
      process.on('SIGINT', stop);
      const report = await scanLibrary({
        store, roots, detectorId, embedderId, onProgress: progress, signal: controller.signal, regions,
        createPool: () => AnalysisPool.create({ workers, pipeline: { detector: detectorId, embedder: embedderId } }),
      });
      process.off('SIGINT', stop);
      progress.end();
      if (values.model === undefined) adaptNewFaces(store);
      // After the first clustering, new faces join their people at once (`facet cluster` re-runs all).
      const sorted = sortNewFacesAfterScan(store, currentModels(store).current);
      if (json) {
        out(JSON.stringify(sorted ? { ...report, clustering: sorted } : report));
      } else {
        out(`${report.files} files in ${report.roots.length} folder(s): ${report.added} new, ${report.changed} changed, ${report.moved} moved, ${report.missing} gone, ${report.unchanged} unchanged`);
        out(`${report.analysed} photos analysed, ${report.faces} faces found in ${report.seconds.toFixed(1)} s`);
        if (report.namesImported > 0) out(`${report.namesImported} face(s) named from the photos' XMP regions`);
        if (sorted && sorted.newFaces > 0) out(describeIncremental(sorted));
        for (const root of report.offlineRoots) out(`offline (its photos and names are kept): ${root}`);
        if (report.failed.length > 0) {
          out(`${report.failed.length} file(s) could not be read:`);
          for (const failure of report.failed) out(`  ${failure.message}`);
        }
      }
      return 0;
    } finally {
      await regions.dispose();
      store.close();
    }
  },
};
