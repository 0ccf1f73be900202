import { ExifToolMetadata } from '../../xmp/exiftoolMetadata.ts';
import { exportXmp } from '../../people/exportXmp.ts';
import { openStore } from '../../store/index.ts';
import { resolveDatabasePath } from '../database.ts';
import type { Command } from '../main.ts';
import { createProgressPrinter } from '../progress.ts';

export const exportXmpCommand: Command = {
  summary: 'write named faces as MWG face regions into .xmp sidecars (or into the photos with --in-place)',
  usage: 'facet export-xmp [--person NAME] [--in-place] [--all] [--json]',
  options: { person: { type: 'string' }, 'in-place': { type: 'boolean' }, all: { type: 'boolean' } },
  async run({ values, json, out, err }) {
    const store = openStore(resolveDatabasePath());
    const writer = new ExifToolMetadata({ onWarning: err });
    try {
      let personId: number | undefined;
      if (typeof values.person === 'string') {
        const person = store.persons.findByName(values.person);
        if (!person) throw new Error(`no person named "${values.person}"`);
        personId = person.id;
      }
      const progress = createProgressPrinter(process.stderr, json);
      const report = await exportXmp(store, writer, {
        personId, inPlace: values['in-place'] === true, includeAutomatic: values.all === true, onProgress: progress,
      });
      progress.end();
      if (json) out(JSON.stringify(report));
      else {
        const where = values['in-place'] === true ? 'into the photos themselves' : 'into .xmp sidecars';
        out(`${report.regions} named face(s) in ${report.photos} photo(s) written ${where}`);
        for (const failure of report.failed) out(`  not written: ${failure.message}`);
      }
      return report.failed.length > 0 ? 1 : 0;
    } finally {
      await writer.dispose();
      store.close();
    }
  },
};
