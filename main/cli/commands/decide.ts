/** The user decisions the app makes, from the command line: name, merge, reject. */
import { escapeControls } from '../../core/names.ts';
import { mergeTargets, nameTarget, rejectFace, resolveTarget } from '../../people/decisions.ts';
import { MergeConflictError } from '../../store/index.ts';
import { withStore } from '../database.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';

/** Both commands' confirmation of a merge that drops "not this person" decisions (the app's dialog asks instead). */
const DROP_CONTRADICTIONS = { type: 'boolean', description: 'confirm a merge that drops the "not this person" decisions it contradicts (as the app asks)' } as const;

export const nameCommand = defineCommand({
  summary: 'name a cluster or rename a person (an existing name merges into that person; two named persons need --yes)',
  usage: 'facet name CLUSTER_OR_PERSON NAME [--yes] [--drop-contradictions]   (a cluster as facet people shows it: c4; a person by name, id or person:3)',
  options: {
    yes: { type: 'boolean', description: 'confirm renaming a named person to another person\'s name, which merges the two' },
    'drop-contradictions': DROP_CONTRADICTIONS,
  },
  async run({ args, values, json, database, out }) {
    const [target, ...words] = args;
    if (!target) throw new UsageError('name the cluster or person first, as in `facet name c4 "Ada Lovelace"` (facet people lists them)');
    if (words.length === 0) throw new UsageError(`give the name for ${target}, as in \`facet name ${target} "Ada Lovelace"\``);
    const name = words.join(' ');
    const { person, joined } = await withStore(database, (store) => {
      const resolved = resolveTarget(store, target);
      const holder = store.persons.findByName(name);
      const joined = holder !== undefined && !(resolved.kind === 'person' && resolved.person.id === holder.id);
      // Renaming one named person to another's name merges two people the user named: asked, as \`facet merge\` asks.
      if (joined && resolved.kind === 'person' && resolved.person.name !== null && !values.yes) {
        throw new UsageError(`"${escapeControls(holder.name ?? '')}" is another person's name: renaming "${escapeControls(resolved.person.name)}" to it merges the two; add --yes to do so (facet undo reverts it)`);
      }
      const person = confirmingContradictions(`naming ${target} "${name}"`, () =>
        nameTarget(store, resolved, name, { dropContradictedNotConstraints: values['drop-contradictions'] === true }));
      return { person, joined };
    });
    const label = `"${escapeControls(person.name ?? '')}"`;
    out(json ? JSON.stringify({ ...person, merged: joined }) : joined ? `${target} joined person ${person.id} ${label}` : `person ${person.id} is now ${label}`);
    return 0;
  },
});

/** Runs a decision; the store's contradiction refusal becomes the command line's way to confirm (as the app's dialog asks). */
function confirmingContradictions<T>(what: string, decision: () => T): T {
  try {
    return decision();
  } catch (error) {
    if (!(error instanceof MergeConflictError)) throw error;
    const faces = error.faceIds.length === 1 ? `face ${error.faceIds[0]}` : `faces ${error.faceIds.join(', ')}`;
    throw new UsageError(`${escapeControls(what)} contradicts your "not this person" decision on ${faces}: ` +
      'add --drop-contradictions to go ahead and drop it (facet undo brings it back)');
  }
}

export const mergeCommand = defineCommand({
  summary: 'merge person or cluster A into B (two named persons need --yes; facet undo reverts it)',
  usage: 'facet merge A B [--yes] [--drop-contradictions]   (clusters as facet people shows them: c4; persons by name, id or person:3)',
  options: {
    yes: { type: 'boolean', description: 'confirm merging two named persons' },
    'drop-contradictions': DROP_CONTRADICTIONS,
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
      return confirmingContradictions(`merging ${from} into ${into}`, () =>
        mergeTargets(store, a, b, { dropContradictedNotConstraints: values['drop-contradictions'] === true }));
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
