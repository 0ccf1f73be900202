/** The user decisions the app makes, from the command line: name, merge, reject. */
import { escapeControls } from '../../core/names.ts';
import { mergeTargets, nameTarget, rejectFace, resolveTarget } from '../../people/decisions.ts';
import { MergeConflictError } from '../../store/index.ts';
import { withStore } from '../database.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';

export const nameCommand = defineCommand({
  summary: 'name a cluster or rename a person (an existing name merges into that person)',
  usage: 'facet name CLUSTER_OR_PERSON NAME   (a cluster as facet people shows it: c4; a person by name, id or person:3)',
  async run({ args, json, database, out }) {
    const [target, ...words] = args;
    if (!target) throw new UsageError('name the cluster or person first, as in `facet name c4 "Ada Lovelace"` (facet people lists them)');
    if (words.length === 0) throw new UsageError(`give the name for ${target}, as in \`facet name ${target} "Ada Lovelace"\``);
    const person = await withStore(database, (store) => nameTarget(store, resolveTarget(store, target), words.join(' ')));
    out(json ? JSON.stringify(person) : `person ${person.id} is now "${escapeControls(person.name ?? '')}"`);
    return 0;
  },
});

export const mergeCommand = defineCommand({
  summary: 'merge person or cluster A into B (two named persons need --yes; facet undo reverts it)',
  usage: 'facet merge A B [--yes] [--drop-contradictions]   (clusters as facet people shows them: c4; persons by name, id or person:3)',
  options: {
    yes: { type: 'boolean', description: 'confirm merging two named persons' },
    'drop-contradictions': { type: 'boolean', description: 'confirm a merge that drops the "not this person" decisions it contradicts (as the app asks)' },
  },
  async run({ args, values, json, database, out }) {
    if (args.length !== 2) throw new UsageError(`name two persons or clusters, as in \`facet merge c4 "Ada Lovelace"\` (got ${args.length})`);
    const [from, into] = args as [string, string];
    const person = await withStore(database, (store) => {
      const a = resolveTarget(store, from, 'A'), b = resolveTarget(store, into, 'B');
      // Two people the user named are rarely one: merging them asks for confirmation, as the app does.
      if (a.kind === 'person' && b.kind === 'person' && a.person.name !== null && b.person.name !== null && a.person.id !== b.person.id && !values.yes) {
        throw new UsageError(`"${escapeControls(a.person.name)}" and "${escapeControls(b.person.name)}" are both named: add --yes to merge them into one person`);
      }
      try {
        return mergeTargets(store, a, b, { dropContradictedNotConstraints: values['drop-contradictions'] === true });
      } catch (error) {
        // The store names its own option; on the command line the user confirms with a flag, as in the app's dialog.
        if (!(error instanceof MergeConflictError)) throw error;
        throw new UsageError(`merging ${from} into ${into} contradicts your "not this person" decisions on face(s) ${error.faceIds.join(', ')}: ` +
          'add --drop-contradictions to merge anyway and drop them (facet undo brings them back)');
      }
    });
    out(json ? JSON.stringify(person) : `merged into person ${person.id}${person.name ? ` "${escapeControls(person.name)}"` : ''}`);
    return 0;
  },
});

export const rejectCommand = defineCommand({
  summary: '"not this person": the face leaves the person and never returns to it',
  usage: 'facet reject FACE_ID PERSON',
  async run({ args, json, database, out }) {
    const [face, target] = args;
    const faceId = Number(face);
    if (face === undefined || !Number.isInteger(faceId) || faceId < 1) throw new UsageError(`FACE_ID must be a face's number as facet faces shows it, not "${face ?? ''}"`);
    if (!target || args.length !== 2) throw new UsageError('name the face and the person it is not, as in `facet reject 812 "Ada Lovelace"`');
    await withStore(database, (store) => rejectFace(store, faceId, resolveTarget(store, target, 'PERSON')));
    out(json ? JSON.stringify({ ok: true, faceId, target }) : `face ${faceId} is not ${escapeControls(target)}: remembered`);
    return 0;
  },
});
