import { escapeControls } from '../../core/names.ts';
import { withStore } from '../database.ts';
import { defineCommand } from '../command.ts';
import { createProgressPrinter } from '../progress.ts';

export const exportXmpCommand = defineCommand({
  summary: 'write named faces as MWG face regions into .xmp sidecars (or into the photos with --in-place)',
  usage: 'facet export-xmp [--person NAME] [--in-place] [--all] [--json]',
  options: {
    person: { type: 'string', placeholder: 'NAME', description: 'only this person' },
    'in-place': { type: 'boolean', description: 'write into the photos themselves instead of sidecars' },
    all: { type: 'boolean', description: 'also faces clustering put with a named person' },
  },
  async run({ values, json, database, out, err }) {
    const [{ ExifToolMetadata }, { exportXmp }] = await Promise.all([import('../../xmp/exiftoolMetadata.ts'), import('../../people/exportXmp.ts')]);
    return withStore(database, async (store) => {
      const writer = new ExifToolMetadata({ onWarning: err });
      try {
        let personId: number | undefined;
        if (values.person !== undefined) {
          const person = store.persons.findByName(values.person);
          if (!person) throw new Error(`no person is named "${escapeControls(values.person)}" (facet people lists them)`);
          personId = person.id;
        }
        const progress = createProgressPrinter(process.stderr, json);
        const report = await exportXmp(store, writer, {
          personId, inPlace: values['in-place'], includeAutomatic: values.all, onProgress: progress,
        });
        progress.end();
        if (json) out(JSON.stringify(report));
        else {
          const where = values['in-place'] ? 'into the photos themselves' : 'into .xmp sidecars';
          out(`${report.regions} named face(s) in ${report.photos} photo(s) written ${where}`);
          for (const failure of report.failed) out(`  not written: ${failure.message}`);
        }
        return report.failed.length > 0 ? 1 : 0;
      } finally {
        await writer.dispose();
      }
    });
  },
});
