/** The people grid: entries largest first, naming with autocomplete, selection for merging (confirmed when both are named). */
import type { PeopleEntry, PeopleRef } from '../../../main/api/contract.ts';
import type { AppState } from './app.svelte.ts';

export const refKey = (ref: PeopleRef): string => `${ref.kind}:${ref.id}`;

/** A merge about to happen: `from` goes into `into`. Both named: the user confirms first. */
export interface MergePlan {
  from: PeopleEntry;
  into: PeopleEntry;
  bothNamed: boolean;
}

/**
 * Names a group or renames a person, as both the People grid and a person's page do. A name someone else has
 * merges into them: renaming a named person so first asks (two people the user named are rarely one, as the
 * Merge button asks), and a change that goes against a "not this person" decision asks too (runContradicting).
 */
export async function nameEntry(app: AppState, ref: PeopleRef, currentName: string | null, given: string): Promise<{ personId: number; merged: boolean } | undefined> {
  const name = given.trim();
  if (ref.kind === 'person' && currentName !== null && name.toLowerCase() !== currentName.toLowerCase()) {
    const holder = (await app.run('people.names', { prefix: name }))?.names.find((n) => n.name.toLowerCase() === name.toLowerCase() && n.personId !== ref.id);
    if (holder) {
      const yes = await app.ask({
        title: 'Merge two named people?',
        text: `${holder.name} is another person's name: renaming ${currentName} to it makes them one person, and the name “${currentName}” goes. Ctrl+Z undoes it.`,
        confirmLabel: `Merge into ${holder.name}`,
      });
      if (!yes) return undefined;
    }
  }
  const what = currentName === null ? `Naming this group ${name}` : `Renaming ${currentName} to ${name}`;
  return ref.kind === 'cluster'
    ? app.runContradicting('people.nameCluster', { clusterId: ref.id, name }, what, name)
    : app.runContradicting('people.rename', { personId: ref.id, name, mergeIfTaken: true }, what, name);
}

export class PeopleState {
  entries = $state<PeopleEntry[]>([]);
  loading = $state(false);
  includeHidden = $state(false);
  /** Unnamed groups smaller than this are left out unless showSmall (Settings' "smallest group"). */
  minGroup = $state(1);
  showSmall = $state(false);
  /** Keys (refKey) of selected entries, in the order they were picked. */
  selected = $state<string[]>([]);
  filter = $state('');
  #small = (e: PeopleEntry) => e.name === null && e.faceCount < this.minGroup;
  smallGroups = $derived(this.entries.filter(this.#small).length);
  visible = $derived(
    this.entries.filter(
      (e) => (this.showSmall || !this.#small(e)) && (!this.filter || (e.name ?? 'unnamed').toLowerCase().includes(this.filter.toLowerCase())),
    ),
  );
  named = $derived(this.entries.filter((e) => e.name !== null).length);
  unnamed = $derived(this.entries.filter((e) => e.name === null && !this.#small(e)).length);

  constructor(private readonly app: AppState) {}

  async load(): Promise<void> {
    this.loading = true;
    const [result, settings] = await Promise.all([
      this.app.run('people.list', { includeHidden: this.includeHidden }),
      this.app.run('settings.get', {}),
    ]);
    if (settings) this.minGroup = settings.minClusterSize;
    if (result) {
      this.entries = result.entries;
      const keys = new Set(result.entries.map((e) => refKey(e.ref)));
      this.selected = this.selected.filter((key) => keys.has(key));
    }
    this.loading = false;
  }

  toggle(ref: PeopleRef): void {
    const key = refKey(ref);
    this.selected = this.selected.includes(key) ? this.selected.filter((k) => k !== key) : [...this.selected, key];
  }

  isSelected(ref: PeopleRef): boolean {
    return this.selected.includes(refKey(ref));
  }

  /** Names an entry: a cluster gets a person (an existing name merges into it); a person is renamed (merging if taken). */
  async name(entry: PeopleEntry, name: string): Promise<boolean> {
    const trimmed = name.trim();
    if (!trimmed) return false;
    const result = await nameEntry(this.app, entry.ref, entry.name, trimmed);
    if (result) {
      this.app.inform(result.merged ? `Added to ${trimmed}.` : `Named ${trimmed}.`);
      await this.load();
    }
    return result !== undefined;
  }

  /** What merging the two selected entries would do: a named person absorbs an unnamed one, whichever was picked first. */
  mergePlan(): MergePlan | undefined {
    if (this.selected.length !== 2) return undefined;
    const [a, b] = this.selected.map((key) => this.entries.find((e) => refKey(e.ref) === key));
    if (!a || !b) return undefined;
    const [from, into] = a.name !== null && b.name === null ? [b, a] : [a, b];
    return { from, into, bothNamed: a.name !== null && b.name !== null };
  }

  async merge(plan: MergePlan): Promise<boolean> {
    const into = plan.into.name ?? 'that group';
    const what = `Merging ${plan.from.name ?? 'an unnamed group'} into ${into}`;
    const result = await this.app.runContradicting('people.merge', { from: plan.from.ref, into: plan.into.ref }, what, into);
    if (result) {
      this.selected = [];
      this.app.inform(`Merged ${plan.from.name ?? 'an unnamed group'} into ${plan.into.name ?? 'an unnamed group'}. Ctrl+Z undoes it.`);
      await this.load();
    }
    return result !== undefined;
  }

  /** Merges the selection unless both are named (those need the user's confirmation: returns the plan instead). */
  async mergeSelected(): Promise<boolean | MergePlan> {
    const plan = this.mergePlan();
    if (!plan) return false;
    if (plan.bothNamed) return plan;
    return this.merge(plan);
  }

  async suggestNames(prefix: string): Promise<string[]> {
    const result = await this.app.run('people.names', { prefix });
    return result ? result.names.map((n) => n.name) : [];
  }
}
