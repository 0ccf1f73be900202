/** `facet history`, `facet undo [N]` and `facet redo [N]`: the user's decisions, newest first, reverting the last N exactly and making them again. */
import { escapeControls } from '../../core/names.ts';
import { listHistory, redoDecisions, undoDecisions, type HistoryItem } from '../../people/history.ts';
import { withStore } from '../database.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';

function line(item: HistoryItem): string {
  const when = new Date(item.at).toISOString().replace('T', ' ').slice(0, 19);
  const state = item.undone ? (item.redoable ? ' (undone; facet redo makes it again)' : ' (undone)') : item.undoable ? '' : ' (cannot be undone)';
  return `${String(item.id).padStart(5)}  ${when}  ${item.kind.padEnd(9)} ${escapeControls(item.summary)}${state}`;
}

/** The optional N of `undo N` / `redo N`. */
function countArgument(command: 'undo' | 'redo', args: readonly string[]): number {
  if (args.length > 1) throw new UsageError(`${command} takes at most one number, the count of decisions to ${command} (got ${args.length} arguments)`);
  const count = args[0] === undefined ? 1 : Number(args[0]);
  if (!(Number.isInteger(count) && count >= 1)) throw new UsageError(`N must be a whole number of decisions >= 1, not "${args[0]}"`);
  return count;
}

export const historyCommand = defineCommand({
  summary: 'the decisions you made (naming, merging, rejecting, moving, ...), newest first',
  usage: 'facet history [--limit N] [--json]',
  options: { limit: { type: 'integer', min: 1, max: 100_000, default: 50, placeholder: 'N', description: 'how many to list' } },
  async run({ values, json, database, out }) {
    const items = await withStore(database, (store) => listHistory(store, values.limit));
    if (json) out(JSON.stringify({ entries: items }));
    else if (items.length === 0) out('no decisions yet');
    else for (const item of items) out(line(item));
    return 0;
  },
});

export const undoCommand = defineCommand({
  summary: 'undo your last decision, or the last N (exactly, also after a restart or re-clustering)',
  usage: 'facet undo [N] [--json]',
  async run({ args, json, database, out }) {
    const count = countArgument('undo', args);
    const undone = await withStore(database, (store) => undoDecisions(store, count));
    if (json) out(JSON.stringify({ undone }));
    else {
      for (const item of undone) out(`undone: ${escapeControls(item.summary)}`);
      if (undone.length < count) out(`(only ${undone.length} of the ${count} asked could be undone)`);
    }
    return 0;
  },
});

export const redoCommand = defineCommand({
  summary: 'make again the decision you undid last, or the next N (until you make a new decision)',
  usage: 'facet redo [N] [--json]',
  async run({ args, json, database, out }) {
    const count = countArgument('redo', args);
    const redone = await withStore(database, (store) => redoDecisions(store, count));
    if (json) out(JSON.stringify({ redone }));
    else {
      for (const item of redone) out(`redone: ${escapeControls(item.summary)}`);
      if (redone.length < count) out(`(only ${redone.length} of the ${count} asked could be redone)`);
    }
    return 0;
  },
});
