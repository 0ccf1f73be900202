/**
 * `facet failures [--json]`: every file that failed (unreadable, not an image, damaged, too large), with its
 * reason and when, until it is fixed (a later scan reads it) or removed; `--retry` has the next scan try them again.
 */
import { escapeControls } from '../../core/names.ts';
import { withStore } from '../database.ts';
import { defineCommand } from '../command.ts';

export const failuresCommand = defineCommand({
  summary: 'files that could not be read, with the reason and when; --retry tries them again at the next scan',
  usage: 'facet failures [--retry] [--json]',
  options: {
    retry: { type: 'boolean', description: 'have the next facet scan try every failed file again' },
  },
  async run({ values, json, database, out }) {
    return withStore(database, (store) => {
      const failures = store.photos.listFailed().map((photo) => ({ photoId: photo.id, file: photo.path, reason: photo.error, at: photo.scannedAt }));
      const retried = values.retry === true ? store.transaction(() => store.photos.retry(failures.map((failure) => failure.photoId))) : 0;
      if (json) {
        out(JSON.stringify(values.retry === true ? { failures, retried } : { failures }));
        return 0;
      }
      if (failures.length === 0) out('no failed files');
      for (const failure of failures) {
        out(`${new Date(failure.at).toISOString().slice(0, 19).replace('T', ' ')}  ${escapeControls(failure.file)}`);
        out(`    ${escapeControls(failure.reason)}`);
      }
      if (retried > 0) out(`${retried} file(s) will be tried again by the next facet scan`);
      return 0;
    });
  },
});
