/** The people grid: entries largest first, naming with autocomplete, selection for merging. */
import type { PeopleEntry, PeopleRef } from '../../../main/api/contract.ts';
import type { AppState } from './app.svelte.ts';

export const refKey = (ref: PeopleRef): string => `${ref.kind}:${ref.id}`;

export class PeopleState {
  entries = $state<PeopleEntry[]>([]);
  loading = $state(false);
  includeHidden = $state(false);
  /** Keys (refKey) of selected entries, in the order they were picked. */
  selected = $state<string[]>([]);
  filter = $state('');
  visible = $derived(this.entries.filter((e) => !this.filter || (e.name ?? 'unnamed').toLowerCase().includes(this.filter.toLowerCase())));
  named = $derived(this.entries.filter((e) => e.name !== null).length);

  constructor(private readonly app: AppState) {}

  async load(): Promise<void> {
    this.loading = true;
    const result = await this.app.run('people.list', { includeHidden: this.includeHidden });
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
      if (result.merged) this.app.inform(`Added to ${trimmed}`);
      await this.load();
    }
    return result !== undefined;
  }

  /** Merges the first selected entry into the second (a named person absorbs the other whichever was picked first). */
  async mergeSelected(): Promise<boolean> {
    if (this.selected.length !== 2) return false;
    const [a, b] = this.selected.map((key) => this.entries.find((e) => refKey(e.ref) === key)!);
    if (!a || !b) return false;
    const [from, into] = a.name !== null && b.name === null ? [b, a] : [a, b];
    const result = await this.app.run('people.merge', { from: from.ref, into: into.ref });
    if (result) {
      this.selected = [];
      await this.load();
    }
    return result !== undefined;
  }

  async suggestNames(prefix: string): Promise<string[]> {
    const result = await this.app.run('people.names', { prefix });
    return result ? result.names.map((n) => n.name) : [];
  }
}
