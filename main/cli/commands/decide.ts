/** The user decisions the app makes, from the command line: name, merge, reject. */
import { mergeTargets, nameTarget, rejectFace, resolveTarget } from '../../people/decisions.ts';
import { openStore } from '../../store/index.ts';
import { resolveDatabasePath } from '../database.ts';
import type { Command } from '../main.ts';

function withStore<T>(work: (store: ReturnType<typeof openStore>) => T): T {
  const store = openStore(resolveDatabasePath());
  try {
    return work(store);
  } finally {
    store.close();
  }
}

export const nameCommand: Command = {
  summary: 'name a cluster or rename a person (an existing name merges into that person)',
  usage: 'facet name CLUSTER_OR_PERSON NAME',
  async run({ args, json, out }) {
    const [target, ...words] = args;
    if (!target || words.length === 0) throw new Error(`usage: ${this.usage}`);
    const person = withStore((store) => nameTarget(store, resolveTarget(store, target), words.join(' ')));
    out(json ? JSON.stringify(person) : `person ${person.id} is now "${person.name}"`);
    return 0;
  },
};

export const mergeCommand: Command = {
  summary: 'merge person or cluster A into B',
  usage: 'facet merge A B',
  async run({ args, json, out }) {
    const [from, into] = args;
    if (!from || !into || args.length !== 2) throw new Error(`usage: ${this.usage}`);
    const person = withStore((store) => mergeTargets(store, resolveTarget(store, from, 'A'), resolveTarget(store, into, 'B')));
    out(json ? JSON.stringify(person) : `merged into person ${person.id}${person.name ? ` "${person.name}"` : ''}`);
    return 0;
  },
};

export const rejectCommand: Command = {
  summary: '"not this person": the face leaves the person and never returns to it',
  usage: 'facet reject FACE_ID PERSON',
  async run({ args, json, out }) {
    const [face, target] = args;
    const faceId = Number(face);
    if (!Number.isInteger(faceId) || !target) throw new Error(`usage: ${this.usage}`);
    withStore((store) => rejectFace(store, faceId, resolveTarget(store, target, 'PERSON')));
    out(json ? JSON.stringify({ ok: true, faceId, target }) : `face ${faceId} is not ${target}: remembered`);
    return 0;
  },
};
