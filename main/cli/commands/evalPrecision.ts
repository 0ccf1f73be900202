/**
 * `facet eval precision`: fp32 against int8 in one run (main/eval/precisionEval.ts); and
 * `facet eval calibrate-int8`: makes the int8 calibration tables on LFW's development split
 * (main/eval/int8Calibration.ts, method chosen by main/eval/int8DevCheck.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';
import { createProgressPrinter } from '../progress.ts';
import { evalCacheDir, lfwDataDir } from './evalShared.ts';

const percent = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? 'n/a' : `${(value * 100).toFixed(digits)}%`);

export const calibrateInt8Command = defineCommand({
  summary: "(development) int8 calibration tables for dlib ResNet and the SSD, on LFW's development split; writes native-models/onnx/calibration/",
  usage: 'facet eval calibrate-int8 --data DIR [--model dlib-resnet|ssd-mobilenetv1] [--faces N] [--group-photos N] [--percentile P] [--method auto|minmax|percentile] [--out DIR] [--json]',
  options: {
    data: { type: 'string', placeholder: 'DIR', description: 'the LFW folder (default: FACET_LFW_DIR, else ../shared/data/lfw)' },
    model: { type: 'string', choices: ['dlib-resnet', 'ssd-mobilenetv1'], description: 'only this model (default both)' },
    faces: { type: 'integer', min: 8, default: 400, description: "faces of peopleDevTrain.txt's people for the embedder" },
    'group-photos': { type: 'integer', min: 1, default: 4, description: 'composed photos (seed 1) whose detector inputs are recorded; as many more check the method' },
    percentile: { type: 'number', above: 0.5, max: 1, default: 0.9999, placeholder: 'P', description: 'the percentile ranges (kept beside min/max)' },
    method: { type: 'string', choices: ['auto', 'minmax', 'percentile'], default: 'auto', description: 'auto: min/max unless it loses accuracy on the development split' },
    out: { type: 'string', placeholder: 'DIR', description: 'where the tables go (default native-models/onnx/calibration)' },
  },
  async run({ values, json, out, err }) {
    const [{ calibrateDetector, calibrateEmbedder }, { checkDetectorMethods, checkEmbedderMethods }, { calibrationTableFile }] = await Promise.all([
      import('../../eval/int8Calibration.ts'), import('../../eval/int8DevCheck.ts'), import('../../../native-models/onnx/calibration.ts'),
    ]);
    const dataDir = lfwDataDir(values.data, 'eval calibrate-int8');
    const cacheDir = evalCacheDir();
    const log = json ? () => {} : err;
    const inputs = { dataDir, cacheDir, faces: values.faces, groupPhotos: values['group-photos'], percentile: values.percentile, log };
    const models = values.model ? [values.model] : (['dlib-resnet', 'ssd-mobilenetv1'] as const);
    const summary: Record<string, unknown> = {};
    for (const model of models) {
      const table = model === 'dlib-resnet' ? await calibrateEmbedder(inputs) : await calibrateDetector(inputs);
      const check = model === 'dlib-resnet'
        ? await checkEmbedderMethods(table, dataDir, cacheDir, log)
        : await checkDetectorMethods(table, dataDir, cacheDir, values['group-photos'], log);
      table.method = values.method === 'auto' ? check.chosen : values.method;
      const file = values.out ? path.join(path.resolve(values.out), `${model}.json`) : calibrationTableFile(model);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(table, null, 1)}\n`);
      summary[model] = { file, set: table.set, count: table.count, method: table.method, tensors: Object.keys(table.tensors).length, devCheck: check };
      if (!json) {
        out(`${model}: ${Object.keys(table.tensors).length} tensors from ${table.count} inputs (${table.set}); method ${table.method} → ${file}`);
        for (const variant of check.variants) {
          if ('accuracy' in variant) out(`  ${variant.name.padEnd(16)} dev accuracy ${percent(variant.accuracy, 2)}, mean squared drift from fp32 ${variant.meanDrift.toExponential(2)}`);
          else out(`  ${variant.name.padEnd(16)} dev recall ${percent(variant.recall)} (${Object.entries(variant.score.recall).map(([band, r]) => `${band} ${percent(r)}`).join(', ')}), precision ${percent(variant.score.precision)}`);
        }
      }
    }
    if (json) out(JSON.stringify(summary));
    return 0;
  },
});

export const precisionEvalCommand = defineCommand({
  summary: 'fp32 against int8 in one run: embedder and detector speed, LFW 10-fold accuracy, all-of-LFW clustering, detection recall',
  usage: 'facet eval precision --data DIR [--limit N] [--speed-faces N] [--photos N] [--seed S] [--workers N] [--skip-detect] [--json]',
  options: {
    data: { type: 'string', placeholder: 'DIR', description: 'the LFW folder (default: FACET_LFW_DIR, else ../shared/data/lfw)' },
    limit: { type: 'integer', min: 2, description: 'a quick check: only the first N people of LFW (and the pairs among their images)' },
    'speed-faces': { type: 'integer', min: 1, default: 64, description: 'faces timed for the embedder speed' },
    repeats: { type: 'integer', min: 1, default: 5, description: 'interleaved timing rounds' },
    photos: { type: 'integer', min: 1, default: 30, description: 'composed group photos for detection' },
    seed: { type: 'integer', min: 0, default: 2, description: 'the composed photos\' seed (2: the report seed)' },
    workers: { type: 'integer', min: 0, description: 'analysis worker threads for the LFW embeddings (default: one per core)' },
    'skip-detect': { type: 'boolean', description: 'leave out detection' },
  },
  async run({ values, json, out }) {
    const { evaluatePrecision } = await import('../../eval/precisionEval.ts');
    if (values.seed === 1) throw new UsageError('--seed 1 is the tuning seed the int8 detector was calibrated on: report on another (default 2)', 'seed');
    const progress = createProgressPrinter(process.stderr);
    const report = await evaluatePrecision({
      dataDir: lfwDataDir(values.data, 'eval precision'),
      cacheDir: evalCacheDir(),
      limitPeople: values.limit,
      speedFaces: values['speed-faces'],
      repeats: values.repeats,
      photos: values.photos,
      seed: values.seed,
      workers: values.workers,
      skipDetect: values['skip-detect'],
      onProgress: progress,
    });
    progress.end();
    if (json) {
      out(JSON.stringify(report));
      return 0;
    }
    const { fp32, int8 } = report.precisions;
    out(`fp32 against int8 (onnxruntime, ${report.machine})${report.limitPeople ? `, first ${report.limitPeople} people only` : ''}`);
    out(`                          fp32                 int8                 int8/fp32`);
    out(`embedder ms/face (1 thr)  ${fp32.embedMsPerFace.toFixed(2).padEnd(20)} ${int8.embedMsPerFace.toFixed(2).padEnd(20)} ${report.embedSpeedup.toFixed(2)}x faster`);
    if (fp32.detectMsPerPhoto !== null && int8.detectMsPerPhoto !== null) {
      out(`detector ms/photo (1 thr) ${fp32.detectMsPerPhoto.toFixed(0).padEnd(20)} ${int8.detectMsPerPhoto.toFixed(0).padEnd(20)} ${report.detectSpeedup!.toFixed(2)}x faster`);
    }
    out(`LFW accuracy (${report.lfwPairs} pairs)  ${`${fp32.lfwAccuracy.toFixed(4)} ± ${fp32.lfwStd.toFixed(4)}`.padEnd(20)} ${`${int8.lfwAccuracy.toFixed(4)} ± ${int8.lfwStd.toFixed(4)}`.padEnd(20)} ${((int8.lfwAccuracy - fp32.lfwAccuracy) * 100).toFixed(2)} points`);
    out(`BCubed F (${report.clusterFaces} faces)   ${fp32.bcubedF.toFixed(4).padEnd(20)} ${int8.bcubedF.toFixed(4).padEnd(20)} ${(int8.bcubedF - fp32.bcubedF).toFixed(4)}`);
    for (const set of report.detection) {
      const row = (p: 'fp32' | 'int8') => `${Object.entries(set[p].recall).map(([band, r]) => `${band} ${percent(r)}`).join(' ')} P ${percent(set[p].precision)}`;
      out(`${set.name}: fp32 ${row('fp32')}`);
      out(`${' '.repeat(set.name.length)}  int8 ${row('int8')}`);
    }
    const both = report.bothInt8;
    out(`both networks int8, the SSD's own landmarks: LFW ${both.lfwAccuracy.toFixed(4)} ± ${both.lfwStd.toFixed(4)} (${((both.lfwAccuracy - fp32.lfwAccuracy) * 100).toFixed(2)} points), BCubed F ${both.bcubedF.toFixed(4)} (${(both.bcubedF - fp32.bcubedF).toFixed(4)}), ${both.detectFailures} images without a detection`);
    const listed = (conditions: typeof report.conditions) => conditions.map((c) => `${c.name} ${c.met ? 'met' : 'NOT met'} (${c.detail})`).join('; ');
    out(`conditions, int8 embedder: ${listed(report.conditions)}`);
    out(`conditions, both int8: ${listed(report.bothInt8Conditions)}`);
    out(`the int8 embedder keeps the accuracy: ${report.int8KeepsAccuracy ? 'yes' : 'no'}; the most int8 that does: --precision ${report.recommendedMode}; ${report.seconds.toFixed(0)} s`);
    return 0;
  },
});
