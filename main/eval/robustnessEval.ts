/**
 * `facet eval robustness`: LFW verification (10-fold protocol) of one embedder on degraded copies of
 * the images, as in FaceNet's Table 4: JPEG quality 10…90 at the photo's own size, and face sizes of
 * 40…256 pixels (face box width, lossless PNG). Faces are embedded at the clean landmarks, scaled with
 * the photo (degrade.ts explains why). Writes a PNG chart of accuracy and VAL@FAR=1e-3.
 */
import type { ProgressListener } from '../core/progress.ts';
import { describePrecisions, type PrecisionMode } from '../embed/precision.ts';
import { type Degradation, cleanLandmarks, degradationName, embedClean, embedDegraded } from './degrade.ts';
import { type ChartPanel, lineChartSvg, writeChartPng } from '../training/lineChart.ts';
import { type LfwPair, readPairs } from '../training/lfwPairs.ts';
import { evaluateVerification, squaredDistance } from '../metrics/verification.ts';

export const JPEG_QUALITIES = [10, 20, 30, 50, 70, 90] as const;
export const FACE_SIZES = [40, 60, 80, 120, 160, 256] as const;

export interface RobustnessOptions {
  readonly dataDir: string;
  readonly cacheDir: string;
  /** The first K folds of pairs.txt. Default 10. */
  readonly folds?: number;
  /** At most N matched and N mismatched pairs per fold. Default all (300). */
  readonly limit?: number;
  readonly qualities?: readonly number[];
  readonly sizes?: readonly number[];
  readonly embedder?: string;
  readonly detector?: string;
  readonly backend?: string;
  /** The ONNX networks' precision (default: FACET_PRECISION, else DEFAULT_PRECISION). */
  readonly precision?: PrecisionMode;
  readonly workers?: number;
  /** Where the PNG chart goes; none = no chart. */
  readonly chartFile?: string;
  readonly onProgress?: ProgressListener;
}

export interface RobustnessRow {
  readonly condition: string;
  readonly quality: number | null;
  readonly facePixels: number | null;
  readonly accuracy: number;
  readonly stderr: number;
  readonly valAtFar: number;
}

export interface RobustnessReport {
  readonly model: string;
  readonly detector: string;
  readonly backend: string;
  /** What the networks ran in: a precision mode, or each network's where no mode says it. */
  readonly precision: string;
  readonly folds: number;
  readonly pairs: number;
  readonly images: number;
  readonly clean: RobustnessRow;
  readonly jpeg: readonly RobustnessRow[];
  readonly size: readonly RobustnessRow[];
  readonly chart: string | null;
  readonly seconds: number;
}

/** The first `limit` matched and mismatched pairs of each of the first `folds` folds. */
export function selectPairs(pairs: readonly LfwPair[], folds: number, limit: number): LfwPair[] {
  const taken = new Map<string, number>();
  return pairs.filter((pair) => {
    if (pair.fold >= folds) return false;
    const key = `${pair.fold}/${pair.same}`;
    taken.set(key, (taken.get(key) ?? 0) + 1);
    return taken.get(key)! <= limit;
  });
}

function verify(pairs: readonly LfwPair[], embeddings: ReadonlyMap<string, Float32Array>, condition: string, d: Degradation): RobustnessRow {
  const result = evaluateVerification(pairs.map((pair) => ({
    distance: squaredDistance(embeddings.get(pair.a)!, embeddings.get(pair.b)!), same: pair.same, fold: pair.fold,
  })));
  return { condition, quality: d.quality ?? null, facePixels: d.facePixels ?? null, accuracy: result.accuracy, stderr: result.stderr, valAtFar: result.valAtFar };
}

export async function evaluateRobustness(options: RobustnessOptions): Promise<RobustnessReport> {
  const started = performance.now();
  const pairs = selectPairs(readPairs(options.dataDir), options.folds ?? 10, options.limit ?? Infinity);
  const images = [...new Set(pairs.flatMap((pair) => [pair.a, pair.b]))];
  const pipeline = { embedder: options.embedder, detector: options.detector, backend: options.backend, precision: options.precision, flip: true };
  const clean = await embedClean(images, { pipeline, workers: options.workers, cacheDir: options.cacheDir, onProgress: options.onProgress });
  const landmarks = cleanLandmarks(options.cacheDir, clean.detector, images, clean.precisions.detector);
  const jpeg: Degradation[] = (options.qualities ?? JPEG_QUALITIES).map((quality) => ({ quality }));
  const size: Degradation[] = (options.sizes ?? FACE_SIZES).map((facePixels) => ({ facePixels }));
  const runs = await embedDegraded(images, landmarks, [...jpeg, ...size], {
    pipeline: { ...pipeline, embedder: clean.embedder }, workers: options.workers, cacheDir: options.cacheDir, onProgress: options.onProgress,
  });
  const row = (d: Degradation) => verify(pairs, runs.get(degradationName(d))!, degradationName(d), d);
  const report: RobustnessReport = {
    model: clean.embedder,
    detector: clean.detector,
    backend: clean.backend,
    precision: describePrecisions(clean.precisions),
    folds: new Set(pairs.map((pair) => pair.fold)).size,
    pairs: pairs.length,
    images: images.length,
    clean: verify(pairs, clean.embeddings, 'clean', {}),
    jpeg: jpeg.map(row),
    size: size.map(row),
    chart: options.chartFile ?? null,
    seconds: 0,
  };
  if (options.chartFile) await writeChartPng(options.chartFile, robustnessChartSvg(report));
  return { ...report, seconds: (performance.now() - started) / 1000 };
}

export function robustnessChartSvg(report: Pick<RobustnessReport, 'model' | 'jpeg' | 'size' | 'clean'>): string {
  const series = (rows: readonly RobustnessRow[], x: (row: RobustnessRow) => number) => [
    { name: 'accuracy', points: rows.map((r) => [x(r), r.accuracy] as const), colour: '#d62728' },
    { name: 'VAL@FAR=1e-3', points: rows.map((r) => [x(r), r.valAtFar] as const), colour: '#1f77b4' },
  ];
  const panels: ChartPanel[] = [
    { title: `${report.model}: JPEG quality (clean ${report.clean.accuracy.toFixed(3)})`, xLabel: 'JPEG quality', yRange: [0, 1], series: series(report.jpeg, (r) => r.quality!) },
    { title: `${report.model}: face size (lossless)`, xLabel: 'face box width, pixels', yRange: [0, 1], logX: true, series: series(report.size, (r) => r.facePixels!) },
  ];
  return lineChartSvg(panels);
}
