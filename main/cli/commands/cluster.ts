import { SETTING_KEYS } from '../../core/settingKeys.ts';
import { clusterNewFaces, type IncrementalRunReport } from '../../people/sortNewFaces.ts';
import { clusterLibrary, previewThreshold } from '../../people/clusterLibrary.ts';
import { openStore } from '../../store/index.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';
import { createProgressPrinter } from '../progress.ts';

export const clusterCommand = defineCommand({
  summary: 'group faces into people (threshold-based agglomerative clustering; keeps every user decision)',
  usage: 'facet cluster [--threshold T] [--caution RHO] [--linkage average|single|complete] [--min-size N] [--preview] [--new] [--save] [--json]\n  --new: only the faces not yet in a person or cluster join their nearest one or form new clusters (what a scan does after the first clustering)',
  options: {
    threshold: { type: 'number', above: 0, max: 4, placeholder: 'T', description: 'squared L2 distance (default: calibrated per model)' },
    caution: { type: 'number', above: 0, max: 1, placeholder: 'RHO', description: 'small-cluster caution (1: the plain threshold for every merge)' },
    linkage: { type: 'string', choices: ['average', 'single', 'complete'] },
    'min-size': { type: 'integer', min: 1, description: 'smallest group listed as a cluster' },
    preview: { type: 'boolean', description: 'only count the clusters at --threshold, from the kept merge tree' },
    save: { type: 'boolean', description: 'keep these settings for this library' },
    new: { type: 'boolean', description: 'only sort the faces no run has seen' },
  },
  async run({ values, json, database, out }) {
    const { threshold, caution, linkage } = values;
    const minClusterSize = values['min-size'];
    const store = openStore(database);
    try {
      if (values.preview) {
        if (threshold === undefined) throw new UsageError('--preview needs --threshold, the distance to count clusters at');
        const preview = previewThreshold(store, threshold);
        out(json ? JSON.stringify({ threshold, ...preview }) : `threshold ${threshold}: ${preview.clusters} clusters, ${preview.unclustered} of ${preview.faces} faces unclustered`);
        return 0;
      }
      if (values.save) {
        if (threshold !== undefined) store.settings.set(SETTING_KEYS.threshold, threshold);
        if (linkage !== undefined) store.settings.set('clusterLinkage', linkage);
        if (caution !== undefined) store.settings.set('clusterCaution', caution);
        if (minClusterSize !== undefined) store.settings.set('minClusterSize', minClusterSize);
      }
      if (values.new) {
        const report = clusterNewFaces(store, { threshold, caution, linkage, minClusterSize });
        out(json ? JSON.stringify(report) : describeIncremental(report));
        return 0;
      }
      const progress = createProgressPrinter(process.stderr);
      const report = clusterLibrary(store, { threshold, caution, linkage, minClusterSize, onProgress: progress });
      progress.end();
      if (json) out(JSON.stringify(report));
      else {
        out(`${report.faces} faces → ${report.clusters} clusters (${report.namedPersons} named persons kept), ${report.unclustered} unsorted`);
        out(`threshold ${report.threshold} (caution ${report.caution}), ${report.linkage} linkage, ${report.method}${report.approximate ? ' (approximate: k-nearest-neighbour graph)' : ''}, ${report.seconds.toFixed(2)} s`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
});

export function describeIncremental(report: IncrementalRunReport): string {
  return `${report.newFaces} new faces: ${report.joinedPersons} joined named persons, ${report.joinedClusters} joined clusters, `
    + `${report.newClusters} new clusters, ${report.unclustered} unsorted (threshold ${report.threshold}, ${report.seconds.toFixed(2)} s)`;
}
