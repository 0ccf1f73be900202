/**
 * The curve of a training run (`facet train --curve FILE.json`): one point per step (loss, active
 * fraction, and validation accuracy on the steps that validated), rewritten after every step so a long
 * run can be plotted while it trains, and a PNG chart beside it (FILE.png) at the end. A resumed run
 * keeps the points of the steps before it and replaces any after (they are re-run identically).
 */
import { existsSync, readFileSync } from 'node:fs';
import { lineChartSvg, writeChartPng } from './lineChart.ts';
import type { TrainProgress } from './train.ts';
import { writeAtomically } from './weightsFile.ts';

export interface CurvePoint {
  readonly step: number;
  /** Absent at step 0 (no update yet). */
  readonly loss?: number;
  readonly activeFraction?: number;
  /** Present on the steps that validated. */
  readonly valAccuracy?: number;
  readonly valAuc?: number;
}

/** Mean of each point's window of `width` points ending at it: per-step loss is noisy. */
export function movingAverage(values: readonly number[], width: number): number[] {
  let sum = 0;
  return values.map((value, i) => {
    sum += value - (i >= width ? values[i - width]! : 0);
    return sum / Math.min(i + 1, width);
  });
}

/** The chart's SVG: validation accuracy and AUC (left), smoothed loss and active fraction (right) against the step. */
export function curveChartSvg(points: readonly CurvePoint[], title: string, smoothing = 25): string {
  const updates = points.filter((p) => p.loss !== undefined);
  const steps = updates.map((p) => p.step);
  const loss = movingAverage(updates.map((p) => p.loss!), smoothing);
  const active = movingAverage(updates.map((p) => p.activeFraction!), smoothing);
  const validated = points.filter((p) => p.valAccuracy !== undefined);
  const accuracy = validated.map((p) => p.valAccuracy!);
  return lineChartSvg([
    {
      title: `${title}: validation`,
      xLabel: 'step',
      // Zoomed on where verification accuracy lives: 0.5 is chance.
      yRange: [0.5, Math.max(0.8, Math.ceil(Math.max(...accuracy, ...validated.map((p) => p.valAuc ?? 0)) * 10) / 10)],
      series: [
        { name: 'accuracy', points: validated.map((p) => [p.step, p.valAccuracy!]), colour: '#d62728' },
        { name: 'ROC AUC', points: validated.map((p) => [p.step, p.valAuc ?? NaN]), colour: '#9467bd' },
      ],
    },
    {
      title: `${title}: triplets`,
      xLabel: 'step',
      yRange: [0, 1],
      series: [
        { name: `loss (${smoothing}-step mean)`, points: steps.map((s, i) => [s, loss[i]!]), colour: '#1f77b4' },
        { name: `active fraction (${smoothing}-step mean)`, points: steps.map((s, i) => [s, active[i]!]), colour: '#2ca02c' },
      ],
    },
  ]);
}

export class TrainingCurve {
  readonly chartFile: string;
  private points: CurvePoint[] = [];

  constructor(readonly file: string) {
    this.chartFile = file.replace(/\.json$/i, '') + '.png';
    if (existsSync(file)) this.points = (JSON.parse(readFileSync(file, 'utf8')) as { points: CurvePoint[] }).points;
  }

  add(event: TrainProgress): void {
    this.points = this.points.filter((p) => p.step < event.step);
    const v = event.validation;
    const trained = event.pairs > 0; // step 0 is the untrained network's validation alone
    this.points.push({
      step: event.step,
      ...(trained ? { loss: event.loss, activeFraction: event.activeFraction } : {}),
      ...(v ? { valAccuracy: v.accuracy, valAuc: v.auc } : {}),
    });
    writeAtomically(this.file, JSON.stringify({ points: this.points }));
  }

  get length(): number {
    return this.points.length;
  }

  async writeChart(title = 'facet train'): Promise<void> {
    if (this.points.length > 0) await writeChartPng(this.chartFile, curveChartSvg(this.points, title));
  }
}
