/** `facet finetune`: adapts the embedder to the people the user has named, or rolls the adaptation back. */
import path from 'node:path';
import { type RollbackReport, currentModels, rollbackAdapter } from '../../people/adapterStore.ts';
import { type FineTuneReport, fineTune } from '../../people/fineTune.ts';
import { ADAPTER_DESIGNS } from '../../learn/adapterDesigns.ts';
import type { HeldOutFigures } from '../../learn/holdout.ts';
import { lfwReferenceFile, readLfwReference } from '../../training/lfwReference.ts';
import { openStore } from '../../store/index.ts';
import { defineCommand } from '../command.ts';

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const figures = (f: HeldOutFigures) => `${percent(f.accuracy)} (balanced ${percent(f.balancedAccuracy)}, AUC ${f.auc.toFixed(3)}, threshold ${f.threshold.toFixed(3)})`;

function describe(report: FineTuneReport, lfwNote: string | null): string[] {
  const lines = [`${report.status}: ${report.reason}`];
  if (report.heldOut) {
    const h = report.heldOut;
    lines.push(`${report.persons} persons, ${report.trainFaces} named faces; design ${report.design}; ${report.seeds.length} seeds, each holding out its own fold (${h.base.pairs} held-out pairs, ${h.base.samePairs} same)`);
    lines.push(`held-out accuracy: base ${figures(report.heldOut.base)}`);
    lines.push(`                adapted ${figures(report.heldOut.adapted)}`);
    lines.push(`gain per seed: ${report.seeds.map((s) => (100 * s.gain).toFixed(2)).join(', ')} points; mean ${(100 * report.gainMean).toFixed(2)} ± ${(100 * report.gainSd).toFixed(2)} (sd)`);
  }
  if (report.training) lines.push(`training: ${report.training.steps} steps (kept step ${report.training.bestStep}), ${report.training.strangers} unconfirmed faces as negatives, loss ${report.training.firstLoss.toFixed(4)} → ${report.training.finalLoss.toFixed(4)}, ${report.training.seconds.toFixed(1)} s`);
  if (report.lfw) lines.push(`LFW: ${percent(report.lfw.base)} → ${percent(report.lfw.adapted)} on ${report.lfw.pairs} pairs`);
  else if (report.heldOut) lines.push(`LFW: ${lfwNote ?? report.lfwSkipped}`);
  if (report.status === 'applied') {
    lines.push(`embedder is now ${report.derivedModelId} (${report.embeddingsWritten} faces re-embedded from stored vectors); undo with facet finetune --rollback`);
    if (report.cluster) lines.push(`re-clustered: ${report.cluster.clusters} clusters, ${report.cluster.keptUserDecisions} user decisions kept`);
  }
  return lines;
}

function describeRollback(report: RollbackReport): string[] {
  const lines = [`${report.status}: ${report.reason}`];
  if (report.cluster) lines.push(`re-clustered: ${report.cluster.clusters} clusters, ${report.cluster.keptUserDecisions} user decisions kept`);
  return lines;
}

export const finetuneCommand = defineCommand({
  summary: 'adapt the embedder to the people you named (applied only if held-out accuracy improves); --rollback undoes it',
  usage: 'facet finetune [--dry-run] [--force] [--rollback] [--design D] [--seeds N] [--min-faces N] [--holdout F] [--min-gain F] [--steps N] [--seed N] [--lfw DIR] [--json]',
  options: {
    'dry-run': { type: 'boolean', description: 'measure, but apply nothing' },
    rollback: { type: 'boolean', description: 'go back to the base network' },
    'min-faces': { type: 'integer', min: 3, description: 'named faces a person needs to take part' },
    holdout: { type: 'number', above: 0, max: 0.5, placeholder: 'F', description: 'fraction of faces held out' },
    'min-gain': { type: 'number', min: 0, below: 1, placeholder: 'F', description: 'held-out accuracy gain needed to apply' },
    steps: { type: 'integer', min: 1 },
    seed: { type: 'integer', min: 0 },
    seeds: { type: 'integer', min: 2, max: 10, description: 'seeds the held-out check is repeated over (each holds out its own fold)' },
    design: { type: 'string', choices: Object.keys(ADAPTER_DESIGNS), description: 'adapter design (default low-rank)' },
    force: { type: 'boolean', description: 'apply even if the held-out check says no (the report says so)' },
    lfw: { type: 'string', placeholder: 'DIR', description: 'also check LFW accuracy from cached embeddings there' },
  },
  async run({ values, json, database, out }) {
    const store = openStore(database);
    try {
      if (values.rollback) {
        const report = rollbackAdapter(store);
        out(json ? JSON.stringify(report) : describeRollback(report).join('\n'));
        return 0;
      }
      const { holdout, seed, steps } = values;
      const minFaces = values['min-faces'];
      const minGain = values['min-gain'];
      let lfwNote: string | null = null;
      let lfwReference;
      if (values.lfw !== undefined) {
        const { base } = currentModels(store);
        lfwReference = readLfwReference(path.resolve(values.lfw), base);
        if (!lfwReference) {
          lfwNote = `no cached LFW embeddings of ${base} at ${lfwReferenceFile(path.resolve(values.lfw), base)}: the LFW check was skipped (nothing is embedded here)`;
        }
      }
      const report = fineTune(store, {
        minFacesPerPerson: minFaces,
        holdoutFraction: holdout,
        minGain,
        seed,
        training: steps === undefined ? undefined : { steps },
        lfwReference,
        seeds: values.seeds,
        design: values.design,
        force: values.force,
        dryRun: values['dry-run'],
      });
      const final = lfwNote && !report.lfw ? { ...report, lfwSkipped: lfwNote } : report;
      out(json ? JSON.stringify(final) : describe(final, lfwNote).join('\n'));
      return 0;
    } finally {
      store.close();
    }
  },
});
