import { SETTING_KEYS } from '../../core/settingKeys.ts';
import { clusterNewFaces, type IncrementalRunReport } from '../../people/sortNewFaces.ts';
import { clusterLibrary, previewThreshold } from '../../people/clusterLibrary.ts';
import { openStore } from '../../store/index.ts';
import { resolveDatabasePath } from '../database.ts';
import type { Command } from '../main.ts';
import { createProgressPrinter } from '../progress.ts';
import type { Linkage } from '../../cluster/types.ts';

const LINKAGES = ['average', 'single', 'complete'];

export const clusterCommand: Command = {
  summary: 'group faces into people (threshold-based agglomerative clustering; keeps every user decision)',
  usage: 'facet cluster [--threshold T] [--caution RHO] [--linkage average|single|complete] [--min-size N] [--preview] [--new] [--save] [--json]\n  --new: only the faces not yet in a person or cluster join their nearest one or form new clusters (what a scan does after the first clustering)',
  options: {
    threshold: { type: 'string' },
    linkage: { type: 'string' },
    caution: { type: 'string' },
    'min-size': { type: 'string' },
    preview: { type: 'boolean' },
    save: { type: 'boolean' },
    new: { type: 'boolean' },
  },
  async run({ values, json, out }) {
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold > 0 && threshold <= 4)) throw new Error(`--threshold must be a squared distance in (0, 4], got "${values.threshold}"`);
    const caution = values.caution === undefined ? undefined : Number(values.caution);
    if (caution !== undefined && !(caution > 0 && caution <= 1)) throw new Error(`--caution must be in (0, 1] (1 = the plain threshold for every merge), got "${values.caution}"`);
    const linkage = values.linkage as string | undefined;
    if (linkage !== undefined && !LINKAGES.includes(linkage)) throw new Error(`--linkage must be one of ${LINKAGES.join(', ')}, got "${linkage}"`);
    const minClusterSize = values['min-size'] === undefined ? undefined : Number(values['min-size']);
    if (minClusterSize !== undefined && !(Number.isInteger(minClusterSize) && minClusterSize >= 1)) throw new Error(`--min-size must be a whole number >= 1`);
    const store = openStore(resolveDatabasePath());
    try {
      if (values.preview) {
        if (threshold === undefined) throw new Error('--preview needs --threshold');
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
        const report = clusterNewFaces(store, { threshold, caution, linkage: linkage as Linkage | undefined, minClusterSize });
        out(json ? JSON.stringify(report) : describeIncremental(report));
        return 0;
      }
      const progress = createProgressPrinter(process.stderr);
      const report = clusterLibrary(store, { threshold, caution, linkage: linkage as Linkage | undefined, minClusterSize, onProgress: progress });
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
};

export function describeIncremental(report: IncrementalRunReport): string {
  return `${report.newFaces} new faces: ${report.joinedPersons} joined named persons, ${report.joinedClusters} joined clusters, `
    + `${report.newClusters} new clusters, ${report.unclustered} unsorted (threshold ${report.threshold}, ${report.seconds.toFixed(2)} s)`;
}
