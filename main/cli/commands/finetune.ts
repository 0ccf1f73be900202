/** `facet finetune`: adapts the embedder to the people the user has named, or rolls the adaptation back. */
import path from 'node:path';
import { type RollbackReport, currentModels, rollbackAdapter } from '../../people/adapterStore.ts';
import { type FineTuneReport, fineTune } from '../../people/fineTune.ts';
import type { HeldOutFigures } from '../../learn/holdout.ts';
import { lfwReferenceFile, readLfwReference } from '../../training/lfwReference.ts';
import { openStore } from '../../store/index.ts';
import { resolveDatabasePath } from '../database.ts';
import type { Command } from '../main.ts';

function numberOption(values: Record<string, unknown>, name: string, check: (x: number) => boolean, what: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!check(value)) throw new Error(`--${name} must be ${what}, got "${String(raw)}"`);
  return value;
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const figures = (f: HeldOutFigures) => `${percent(f.accuracy)} (balanced ${percent(f.balancedAccuracy)}, AUC ${f.auc.toFixed(3)}, threshold ${f.threshold.toFixed(3)})`;

function describe(report: FineTuneReport, lfwNote: string | null): string[] {
  const lines = [`${report.status}: ${report.reason}`];
  if (report.heldOut) {
    const h = report.heldOut;
    lines.push(`${report.persons} persons, ${report.trainFaces} named faces, each held out once over ${h.folds} folds (${h.base.pairs} held-out pairs, ${h.base.samePairs} same)`);
    lines.push(`held-out accuracy: base ${figures(report.heldOut.base)}`);
    lines.push(`                adapted ${figures(report.heldOut.adapted)}`);
    lines.push(`gain ${(100 * h.gain).toFixed(2)} points, paired t over ${h.faces} held-out faces ${h.t.toFixed(2)}`);
  }
  if (report.training) lines.push(`training: ${report.training.steps} steps, loss ${report.training.firstLoss.toFixed(4)} → ${report.training.finalLoss.toFixed(4)}, ${report.training.seconds.toFixed(1)} s`);
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

export const finetuneCommand: Command = {
  summary: 'adapt the embedder to the people you named (applied only if held-out accuracy improves); --rollback undoes it',
  usage: 'facet finetune [--dry-run] [--rollback] [--min-faces N] [--holdout F] [--min-gain F] [--steps N] [--seed N] [--lfw DIR] [--json]',
  options: {
    'dry-run': { type: 'boolean' },
    rollback: { type: 'boolean' },
    'min-faces': { type: 'string' },
    holdout: { type: 'string' },
    'min-gain': { type: 'string' },
    steps: { type: 'string' },
    seed: { type: 'string' },
    lfw: { type: 'string' },
  },
  async run({ values, json, out }) {
    const store = openStore(resolveDatabasePath());
    try {
      if (values.rollback) {
        const report = rollbackAdapter(store);
        out(json ? JSON.stringify(report) : describeRollback(report).join('\n'));
        return 0;
      }
      const minFaces = numberOption(values, 'min-faces', (x) => Number.isInteger(x) && x >= 3, 'a whole number ≥ 3');
      const holdout = numberOption(values, 'holdout', (x) => x > 0 && x <= 0.5, 'a fraction in (0, 0.5]');
      const minGain = numberOption(values, 'min-gain', (x) => x >= 0 && x < 1, 'a fraction in [0, 1)');
      const steps = numberOption(values, 'steps', (x) => Number.isInteger(x) && x >= 1, 'a whole number ≥ 1');
      const seed = numberOption(values, 'seed', (x) => Number.isInteger(x) && x >= 0, 'a whole number ≥ 0');
      let lfwNote: string | null = null;
      let lfwReference;
      if (typeof values.lfw === 'string') {
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
        dryRun: values['dry-run'] === true,
      });
      const final = lfwNote && !report.lfw ? { ...report, lfwSkipped: lfwNote } : report;
      out(json ? JSON.stringify(final) : describe(final, lfwNote).join('\n'));
      return 0;
    } finally {
      store.close();
    }
  },
};
