/** `facet unsorted`: the review queue the app asks, "is this (group of) face(s) that person?", best first. */
import { escapeControls } from '../../core/names.ts';
import { reviewQueue } from '../../people/reviewQueue.ts';
import { withStore } from '../database.ts';
import { defineCommand } from '../command.ts';

export const unsortedCommand = defineCommand({
  summary: 'the review queue: faces no person holds, each with the named person it plausibly is, best first',
  usage: 'facet unsorted [--limit N] [--json]',
  options: { limit: { type: 'integer', min: 1, max: 100_000, default: 100, placeholder: 'N', description: 'how many questions' } },
  async run({ values, json, database, out }) {
    const queue = await withStore(database, (store) => reviewQueue(store, { limit: values.limit }));
    if (json) {
      out(JSON.stringify(queue));
      return 0;
    }
    const neighbours = queue.neighbours > 0 ? `, and the face's ${queue.neighbours} nearest faces all theirs` : '';
    out(`${queue.unsorted} unsorted face(s); ${queue.questions.length} question(s) worth asking (the nearest named person within distance ${queue.maybeUpTo.toFixed(3)}, ${(queue.maybeUpTo / queue.threshold).toFixed(2)}x the grouping threshold ${queue.threshold.toFixed(3)}, nearer than the second-nearest by at least ${queue.margin}${neighbours})`);
    for (const q of queue.questions) {
      const group = q.faceIds.length > 1 ? ` (+${q.faceIds.length - 1} more of its group)` : '';
      out(`  face ${q.faceId}${group}: ${escapeControls(q.personName)}? distance ${q.distance.toFixed(3)}, ${q.band}`);
    }
    return 0;
  },
});
