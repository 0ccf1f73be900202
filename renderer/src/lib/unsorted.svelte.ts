/** The "is this X?" queue: one suggestion at a time, answered with one key (y / n / s). */
import type { Suggestion } from '../../../main/api/contract.ts';
import type { AppState } from './app.svelte.ts';

export class UnsortedState {
  suggestions = $state<Suggestion[]>([]);
  unsorted = $state(0);
  answered = $state(0);
  loading = $state(false);
  current = $derived(this.suggestions[0]);

  constructor(private readonly app: AppState) {}

  async load(): Promise<void> {
    this.loading = true;
    const result = await this.app.run('unsorted.suggestions', { limit: 100 });
    if (result) {
      this.suggestions = result.suggestions;
      this.unsorted = result.unsorted;
    }
    this.loading = false;
  }

  async answer(yes: boolean): Promise<void> {
    const suggestion = this.current;
    if (!suggestion) return;
    const method = yes ? 'unsorted.confirm' : 'unsorted.reject';
    // Optimistic: the next face shows at once; a failure puts this one back.
    this.suggestions = this.suggestions.slice(1);
    const result = await this.app.run(method, { faceId: suggestion.faceId, personId: suggestion.personId });
    if (!result) {
      this.suggestions = [suggestion, ...this.suggestions];
      return;
    }
    this.answered++;
    // A rejected face may have a next-nearest person: reload when the queue runs low.
    if (this.suggestions.length < 5) await this.load();
  }

  skip(): void {
    const [first, ...rest] = this.suggestions;
    if (first) this.suggestions = [...rest, first];
  }

  /** y, n and s answer; anything else is not ours. */
  handleKey(key: string): boolean {
    if (key === 'y') void this.answer(true);
    else if (key === 'n') void this.answer(false);
    else if (key === 's') this.skip();
    else return false;
    return true;
  }
}
