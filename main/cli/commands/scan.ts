import { existsSync } from 'node:fs';
import path from 'node:path';
import { describeIncremental } from './cluster.ts';
import { registerScanFolders } from './libraries.ts';
import { openStore } from '../../store/index.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';
import { escapeControls } from '../../core/names.ts';
import { SMALLEST_FACE_MAX, SMALLEST_FACE_MIN } from '../../core/settingKeys.ts';
import { createProgressPrinter } from '../progress.ts';

export const scanCommand = defineCommand({
  summary: 'scan library folders: find, align and embed every face (incremental)',
  usage: 'facet scan DIR... [--model ID|MODEL_DIR] [--detector ID] [--workers N] [--smallest-face PX] [--json]',
  options: {
    model: { type: 'string', placeholder: 'ID|DIR', description: 'switch the library to this embedder (a catalogued id or a folder facet train made), as Settings does: the scan embeds every face with it' },
    detector: { type: 'string', placeholder: 'ID', description: 'the face detector (default ssd-mobilenetv1)' },
    workers: { type: 'integer', min: 0, description: 'analysis worker threads (default: one per core; 0: in this thread)' },
    'smallest-face': {
      type: 'integer', min: SMALLEST_FACE_MIN, max: SMALLEST_FACE_MAX, placeholder: 'PX',
      description: 'the smallest face to look for, px of the photo (default: the Settings screen\'s, else 40; larger is faster on big photos)',
    },
  },
  async run({ args, values, json, database, backend, precisionOption, out, err }) {
    // The networks' modules load only now, so that --help and a mistyped option answer at once.
    const [{ ExifToolMetadata }, { findTrainedModel, registerTrainedModel }, { AnalysisPool }, { scanIntoPeople }, { useEmbedder }, { CATALOG }] = await Promise.all([
      import('../../xmp/exiftoolMetadata.ts'), import('../../embed/userModels.ts'), import('../../faces/analysisPool.ts'), import('../../people/scanPipeline.ts'),
      import('../../people/adapterStore.ts'), import('../../../native-models/catalog.ts'),
    ]);
    const store = openStore(database);
    // Names already in the photos' XMP (MWG or Microsoft regions, embedded or in sidecars) are imported.
    const regions = new ExifToolMetadata({ onWarning: err });
    try {
      // Folders named are checked (missing, not a folder, system or data folder: exit 2, nothing registered) and merged.
      const roots = args.length > 0 ? await registerScanFolders(store, args, database, err) : store.roots.list().map((root) => root.path);
      if (roots.length === 0) throw new UsageError('no library folders yet: name at least one, as in `facet scan ~/Pictures`');
      // A model folder from `facet train` is registered under the data folder and used by its id from then on.
      const model = values.model;
      const trained = model !== undefined && existsSync(path.join(model, 'model.json')) ? registerTrainedModel(model) : undefined;
      if (trained) err(`model ${trained.card.id} (${trained.card.description}) registered in ${path.dirname(trained.dir)}`);
      const embedderId = trained?.card.id ?? model;
      if (embedderId !== undefined) {
        // --model switches the library's embedder, as Settings does: scanned with a model the library does not use,
        // faces were stranded (clustering and people use the library's model).
        if (!trained && !CATALOG.some((entry) => entry.task === 'embedder' && entry.id === embedderId) && !findTrainedModel(embedderId)) {
          const known = CATALOG.filter((entry) => entry.task === 'embedder').map((entry) => entry.id).join(', ');
          throw new UsageError(`--model: no embedder "${escapeControls(embedderId)}": use one of ${known}, or a folder facet train made`, 'model');
        }
        const { previous, switched } = useEmbedder(store, embedderId);
        if (switched) err(`the library's embedder is now ${embedderId} (was ${previous}): this scan embeds every face with it (names and decisions stay); facet cluster regroups with it`);
      }
      const { workers } = values;
      const progress = createProgressPrinter(process.stderr);
      const controller = new AbortController();
      const stop = () => { err('stopping after the photos in flight (Ctrl-C again to abort)'); controller.abort(); process.off('SIGINT', stop); };
      process.on('SIGINT', stop);
      // The one scan pipeline: base network, the active adapter, then new faces sorted into people.
      const report = await scanIntoPeople({
        store, roots, reader: regions, detectorId: values.detector, smallestFace: values['smallest-face'],
        onProgress: progress, signal: controller.signal,
        createPool: (networks) => AnalysisPool.create({
          workers, pipeline: { detector: networks.detectorId, embedder: networks.embedderId, backend, precision: precisionOption ?? networks.precision, smallFaces: { minFace: networks.smallestFace } },
        }),
      });
      process.off('SIGINT', stop);
      progress.end();
      const sorted = report.clustering;
      if (json) {
        out(JSON.stringify(report));
      } else {
        out(`${report.files} files in ${report.roots.length} folder(s): ${report.added} new, ${report.changed} changed, ${report.moved} moved, ${report.missing} gone, ${report.unchanged} unchanged`);
        out(`${report.analysed} photos analysed, ${report.faces} faces found in ${report.seconds.toFixed(1)} s`);
        if (report.embedded > 0) out(`${report.embedded} faces already stored embedded with ${report.embedderId} (not detected again)`);
        if (report.namesImported > 0) out(`${report.namesImported} face(s) named from the photos' XMP regions`);
        if (report.facesGone.length > 0) {
          out(`${report.facesGone.length} face(s) you had named or decided about are no longer in their changed file, and were removed:`);
          for (const gone of report.facesGone) out(`  ${gone.person === null ? 'a face' : escapeControls(gone.person)} in ${escapeControls(gone.file)}`);
        }
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
});
