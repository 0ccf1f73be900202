/** `facet eval journey`: a simulated user organising LFW, fine-tuning off and on (main/eval/journeyEval.ts). */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { defineCommand } from '../command.ts';
import { createProgressPrinter } from '../progress.ts';
import { LFW_PIPELINE_OPTIONS, evalCacheDir, lfwDataDir } from './evalShared.ts';

const figure = (x: number) => x.toFixed(4);

export const journeyEvalCommand = defineCommand({
  summary: 'a simulated user names, answers the review queue and rejects wrong faces on LFW: actions to BCubed F 0.99, fine-tuning off and on',
  usage: 'facet eval journey --data DIR [--people FILE] [--min-images N] [--budget N] [--finetune-every N] [--review-factor F] [--review-margin M] [--review-neighbours K] [--workers N] [--json]',
  options: {
    ...LFW_PIPELINE_OPTIONS,
    'min-images': { type: 'integer', min: 2, max: 100, default: 5, placeholder: 'N', description: 'people the user knows: those with at least N images (default 5)' },
    budget: { type: 'integer', min: 10, max: 100_000, default: 3000, placeholder: 'N', description: 'actions at most per run (default 3000)' },
    people: { type: 'string', placeholder: 'FILE', description: 'only the people a people file lists (peopleDevTrain.txt: choose settings on the development people)' },
    'review-factor': { type: 'number', above: 0, max: 4, placeholder: 'F', description: 'the review queue asks up to threshold x F (default: REVIEW_MAYBE_FACTOR)' },
    'review-margin': { type: 'number', min: 0, max: 4, placeholder: 'M', description: 'and only where the nearest person is nearer than the second by M (default: REVIEW_MARGIN)' },
    'review-neighbours': { type: 'integer', min: 0, max: 100, placeholder: 'K', description: "and only where the face's K nearest faces are all that person's; 0: no such rule (default: REVIEW_NEIGHBOURS)" },
    'finetune-every': { type: 'integer', min: 0, max: 100_000, default: 100, placeholder: 'N', description: 'the second run fine-tunes every N actions; 0 skips that run' },
  },
  async run({ values, json, backend, precision, out }) {
    const dataDir = lfwDataDir(values.data, 'eval journey');
    const { embedClean } = await import('../../eval/degrade.ts');
    const { readPeopleFile, runJourney } = await import('../../eval/journeyEval.ts');
    const root = path.join(dataDir, 'images_deepfunneled');
    const images: Array<{ image: string; person: string }> = [];
    const only = values.people === undefined ? undefined : readPeopleFile(path.resolve(values.people));
    for (const person of readdirSync(root).sort()) {
      if (only && !only.has(person)) continue;
      for (const file of readdirSync(path.join(root, person)).filter((f) => f.endsWith('.jpg')).sort()) images.push({ image: path.join(root, person, file), person });
    }
    const progress = createProgressPrinter(process.stderr);
    const clean = await embedClean(images.map((i) => i.image), {
      pipeline: { embedder: values.model, detector: values.detector, backend, precision }, workers: values.workers, cacheDir: evalCacheDir(), onProgress: progress,
    });
    const faces = images.flatMap((i) => {
      const vector = clean.embeddings.get(i.image);
      return vector ? [{ ...i, vector }] : [];
    });
    const devTrainFile = path.join(dataDir, 'peopleDevTrain.txt');
    const report = runJourney({
      faces, minImages: values['min-images'], budget: values.budget, finetuneEvery: values['finetune-every'], onProgress: progress,
      review: { maybeFactor: values['review-factor'], margin: values['review-margin'], neighbours: values['review-neighbours'] },
      devTrainPeople: existsSync(devTrainFile) ? readPeopleFile(devTrainFile) : undefined,
    });
    progress.end();
    if (json) {
      const { runs, ...figures } = report;
      const every10 = (curve: number[] | undefined) => curve?.filter((_, i) => i % 10 === 0) ?? null;
      out(JSON.stringify({
        ...figures,
        plain: { kinds: runs.plain.kinds, noAnswers: runs.plain.noAnswers, yesAnswers: runs.plain.yesAnswers }, finetune: runs.finetune ? { kinds: runs.finetune.kinds, noAnswers: runs.finetune.noAnswers, yesAnswers: runs.finetune.yesAnswers } : null,
        curves: { plain: every10(runs.plain.curve), finetune: every10(runs.finetune?.curve) },
        seconds: { plain: runs.plain.seconds, finetune: runs.finetune?.seconds ?? null },
      }));
      return 0;
    }
    const steps = (n: number | null) => (n === null ? `not within ${values.budget} actions` : `${n} actions`);
    out(`${report.faces} faces: ${report.people} people with ${values['min-images']}+ images (the user knows them), ${report.strangers} strangers`);
    out(`BCubed F 0.99 on the known people after ${steps(report.actionsTo099)}; F after 50/100/200 actions ${figure(report.fAfter50)} / ${figure(report.fAfter100)} / ${figure(report.fAfter200)}`);
    out(`review queue (up to x${report.maybeFactor} the threshold, margin ${report.margin}, ${report.neighbours} nearest faces theirs): ${report.questionsAsked} questions asked, ${report.questionsYes} answered yes (${(100 * report.questionsYes / Math.max(1, report.questionsAsked)).toFixed(1)}%)`);
    if (report.heldOut) out(`  of them about people outside peopleDevTrain.txt (the rule was chosen on those): ${report.heldOut.questionsAsked} asked, ${report.heldOut.questionsYes} answered yes`);
    out(`actions: ${JSON.stringify(report.runs.plain.kinds)}`);
    const tuned = report.withFinetune;
    if (tuned) {
      out(`with fine-tuning every ${tuned.every} actions: F 0.99 after ${steps(tuned.actionsTo099)}; F after 100/200 ${figure(tuned.fAfter100)} / ${figure(tuned.fAfter200)}`);
      for (const f of tuned.finetunes) out(`  fine-tune at action ${f.action}: ${f.status}: ${f.reason}`);
    }
    out(`review queue calibration after the first naming pass, margin ${report.margin} (questions by distance, each row up to threshold ${report.threshold.toFixed(3)} x factor and above the row before; yes-rate, dev-train people | others):`);
    for (const neighbours of [...new Set(report.calibration.map((r) => r.neighbours))]) {
      out(`  ${neighbours === 0 ? 'no neighbour rule' : `${neighbours} nearest faces theirs`}:`);
      for (const row of report.calibration.filter((r) => r.neighbours === neighbours)) {
        const rate = (yes: number, asked: number) => (asked === 0 ? '   -  ' : `${(100 * yes / asked).toFixed(1)}%`);
        out(`    <= x${row.factor.toFixed(2)}: ${rate(row.devYes, row.devAsked)} of ${row.devAsked} | ${rate(row.otherYes, row.otherAsked)} of ${row.otherAsked}`);
      }
    }
    return 0;
  },
});
