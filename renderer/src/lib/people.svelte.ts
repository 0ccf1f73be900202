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
    const result =
      entry.ref.kind === 'cluster'
        ? await this.app.run('people.nameCluster', { clusterId: entry.ref.id, name: trimmed })
        : await this.app.run('people.rename', { personId: entry.ref.id, name: trimmed, mergeIfTaken: true });
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
    const result = await this.app.run('people.merge', { from: plan.from.ref, into: plan.into.ref });
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
