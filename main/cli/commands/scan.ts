import { existsSync } from 'node:fs';
import path from 'node:path';
import { ExifToolMetadata } from '../../xmp/exiftoolMetadata.ts';
import { registerTrainedModel } from '../../embed/userModels.ts';
import { AnalysisPool } from '../../faces/analysisPool.ts';
import { scanIntoPeople } from '../../people/scanPipeline.ts';
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
      // A model folder from `facet train` is registered under the data folder and used by its id from then on.
      const model = values.model as string | undefined;
      const trained = model !== undefined && existsSync(path.join(model, 'model.json')) ? registerTrainedModel(model) : undefined;
      if (trained) err(`model ${trained.card.id} (${trained.card.description}) registered in ${path.dirname(trained.dir)}`);
      const embedderId = trained?.card.id ?? model;
      const workers = values.workers === undefined ? undefined : Number(values.workers);
      if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new Error(`--workers must be a whole number >= 0, got "${values.workers}"`);
      const progress = createProgressPrinter(process.stderr);
      const controller = new AbortController();
      const stop = () => { err('stopping after the photos in flight (Ctrl-C again to abort)'); controller.abort(); process.off('SIGINT', stop); };
      process.on('SIGINT', stop);
      // The one scan pipeline: base network, the active adapter, then new faces sorted into people.
      const report = await scanIntoPeople({
        store, roots, reader: regions, detectorId: values.detector as string | undefined, embedderId,
        onProgress: progress, signal: controller.signal,
        createPool: (networks) => AnalysisPool.create({ workers, pipeline: { detector: networks.detectorId, embedder: networks.embedderId } }),
      });
      process.off('SIGINT', stop);
      progress.end();
      const sorted = report.clustering;
      if (json) {
        out(JSON.stringify(report));
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
