/**
 * Line charts as SVG (no plotting dependency), rasterised to PNG by sharp: the training curve and the
 * robustness chart of the README. Panels sit side by side; each has its own x axis and one y axis.
 *
 *   const svg = lineChartSvg([{ title: 'JPEG quality', xLabel: 'quality', yRange: [0.5, 1], series: [...] }]);
 *   await writeChartPng('docs/robustness.png', svg);
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

export interface ChartSeries {
  readonly name: string;
  /** [x, y] points, drawn in order; NaN y values are skipped. */
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly colour: string;
}

export interface ChartPanel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel?: string;
  /** Default: the data's range. */
  readonly yRange?: readonly [number, number];
  /** Draws x on a log scale (face sizes from 40 to 256 px spread evenly). */
  readonly logX?: boolean;
  readonly series: readonly ChartSeries[];
}

const PANEL_WIDTH = 520;
const HEIGHT = 360;
const MARGIN = { left: 56, right: 16, top: 36, bottom: 78 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

/** Five or so round tick values covering [low, high]. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(low / step - 1e-9) * step; t <= high + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function panelSvg(panel: ChartPanel, offsetX: number): string {
  const points = panel.series.flatMap((s) => s.points.filter(([, y]) => Number.isFinite(y)));
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const fx = panel.logX ? Math.log : (x: number) => x;
  const [x0, x1] = [fx(Math.min(...xs)), fx(Math.max(...xs))];
  const [y0, y1] = panel.yRange ?? [Math.min(...ys), Math.max(...ys)];
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => offsetX + MARGIN.left + ((fx(x) - x0) / (x1 - x0 || 1)) * plotWidth;
  const sy = (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0 || 1)) * plotHeight;
  const parts: string[] = [
    `<text x="${offsetX + PANEL_WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<rect x="${offsetX + MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
  ];
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${offsetX + MARGIN.left}" x2="${offsetX + MARGIN.left + plotWidth}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${offsetX + MARGIN.left - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11">${t}</text>`);
  }
  const xTicks = panel.logX ? [...new Set(xs)].sort((a, b) => a - b) : niceTicks(x0, x1);
  for (const t of xTicks) {
    parts.push(`<text x="${sx(t)}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle" font-size="11">${t}</text>`);
  }
  parts.push(`<text x="${offsetX + MARGIN.left + plotWidth / 2}" y="${MARGIN.top + plotHeight + 34}" text-anchor="middle" font-size="12">${escapeXml(panel.xLabel)}</text>`);
  if (panel.yLabel) {
    const cx = offsetX + 14;
    const cy = MARGIN.top + plotHeight / 2;
    parts.push(`<text x="${cx}" y="${cy}" transform="rotate(-90 ${cx} ${cy})" text-anchor="middle" font-size="12">${escapeXml(panel.yLabel)}</text>`);
  }
  panel.series.forEach((series, i) => {
    const drawn = series.points.filter(([, y]) => Number.isFinite(y));
    const polyline = drawn.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${polyline}" fill="none" stroke="${series.colour}" stroke-width="2"/>`);
    if (drawn.length <= 20) for (const [x, y] of drawn) parts.push(`<circle cx="${sx(x)}" cy="${sy(y)}" r="3" fill="${series.colour}"/>`);
    const legendX = offsetX + MARGIN.left + (i % 2) * 220;
    const legendY = HEIGHT - 22 + Math.floor(i / 2) * 16;
    parts.push(`<line x1="${legendX}" x2="${legendX + 18}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${series.colour}" stroke-width="3"/>`);
    parts.push(`<text x="${legendX + 24}" y="${legendY}" font-size="11">${escapeXml(series.name)}</text>`);
  });
  return parts.join('\n');
}

/** One SVG document with the panels side by side. */
export function lineChartSvg(panels: readonly ChartPanel[]): string {
  const width = PANEL_WIDTH * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" font-family="sans-serif">`,
    `<rect width="${width}" height="${HEIGHT}" fill="white"/>`,
    ...panels.map((panel, i) => panelSvg(panel, i * PANEL_WIDTH)),
    '</svg>',
  ].join('\n');
}

export async function writeChartPng(file: string, svg: string): Promise<void> {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  await sharp(Buffer.from(svg)).png().toFile(file);
}
