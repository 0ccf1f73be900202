/**
 * The review queue: "is this (group of faces) X?", one question at a time, answered with one key (y / n / s).
 * A question may cover a small group of faces (Suggestion.faceIds): one answer settles all of them.
 * Also what fine-tuning moved into named people, for the user to check.
 */
import type { FaceItem, FineTuneSummary, Suggestion } from '../../../main/api/contract.ts';
import type { AppState } from './app.svelte.ts';
import { plural, sentence } from './words.ts';

/** Faces in no group shown at once: enough to see what the clustering left out; the rest open photo by photo. */
export const LOOSE_SHOWN = 120;

export class UnsortedState {
  /** Faces in no person and no group: no other view lists them (opening one's photo is where it gets a name). */
  loose = $state<{ faces: FaceItem[]; total: number }>({ faces: [], total: 0 });
  suggestions = $state<Suggestion[]>([]);
  unsorted = $state(0);
  answered = $state(0);
  loading = $state(false);
  current = $derived(this.suggestions[0]);
  finetune = $state<FineTuneSummary | null>(null);
  finetuning = $state(false);
  /** Faces of the last fine-tuning the user took out again. */
  removed = $state<number[]>([]);

  constructor(private readonly app: AppState) {}

  async load(): Promise<void> {
    this.loading = true;
    const [result, loose] = await Promise.all([
      this.app.run('unsorted.suggestions', { limit: 100 }),
      this.app.run('faces.loose', { limit: LOOSE_SHOWN }),
    ]);
    if (result) {
      this.suggestions = result.suggestions;
      this.unsorted = result.unsorted;
    }
    if (loose) this.loose = loose;
    this.loading = false;
  }

  async answer(yes: boolean): Promise<void> {
    const suggestion = this.current;
    if (!suggestion) return;
    const method = yes ? 'unsorted.confirm' : 'unsorted.reject';
    const faceIds = suggestion.faceIds.length > 0 ? suggestion.faceIds : [suggestion.faceId];
    // Optimistic: the next question shows at once; a failure puts this one back.
    this.suggestions = this.suggestions.slice(1);
    const result = await this.app.run(method, { faceId: suggestion.faceId, personId: suggestion.personId, faceIds });
    if (!result) {
      this.suggestions = [suggestion, ...this.suggestions];
      return;
    }
    this.answered++;
    this.app.inform(`${yes ? 'Yes' : 'No'}: ${plural(faceIds.length, 'face')} ${yes ? 'added to' : 'kept away from'} ${suggestion.personName}.`);
    // A "no" may leave a next-nearest person for the faces: reload when the queue runs low.
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

  /** Fine-tunes the embedder on the named people (force: apply without a held-out gain), then lists what moved. */
  async runFinetune(force: boolean): Promise<FineTuneSummary | undefined> {
    this.finetuning = true;
    this.removed = [];
    try {
      const summary = await this.app.run('learn.finetune', { force });
      if (summary) {
        this.finetune = summary;
        const moved = summary.movedIntoPersons.length;
        this.app.inform(
          summary.status === 'applied'
            ? `Fine-tuning applied${summary.forced ? ' (forced)' : ''}: ${plural(moved, 'face')} moved into named people.`
            : `Fine-tuning not applied. ${sentence(summary.reason)}`,
        );
        await this.load();
      }
      return summary;
    } finally {
      this.finetuning = false;
    }
  }

  /** "Not this person" on a face fine-tuning moved. */
  async takeOut(faceId: number, personId: number): Promise<void> {
    if (await this.app.run('faces.notThisPerson', { faceIds: [faceId], personId })) this.removed = [...this.removed, faceId];
  }
}
