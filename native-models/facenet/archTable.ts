/**
 * The architecture table of a network, in the style of the paper's Tables 1 and 2: one row per layer
 * (one per Inception module), with output shape, parameters and FLOPs (multiply-adds, as the paper counts
 * them). Worked out from the spec alone: printing NN1 allocates none of its 140M weights.
 */
import { netSpec } from './architectures.ts';
import { planLayers } from './model.ts';
import type { Shape } from './shapes.ts';
import { formatShape } from './shapes.ts';
import type { PaperFigures } from './spec.ts';

export interface ArchRow {
  readonly layer: string;
  readonly kind: string;
  /** The paper's kernel column, or the towers of an Inception module. */
  readonly detail: string;
  readonly outputShape: Shape;
  readonly params: number;
  readonly flops: number;
}

export interface ArchTable {
  readonly name: string;
  readonly title: string;
  readonly input: Shape;
  readonly rows: readonly ArchRow[];
  readonly totals: { readonly params: number; readonly flops: number };
  readonly paper: PaperFigures;
  readonly provenance: string;
}

export function archTable(name: string): ArchTable {
  const spec = netSpec(name);
  const rows = planLayers(spec).map((layer) => ({
    layer: layer.name,
    kind: layer.kind,
    detail: layer.detail,
    outputShape: layer.outputShape,
    params: layer.params,
    flops: layer.flops,
  }));
  const totals = {
    params: rows.reduce((sum, row) => sum + row.params, 0),
    flops: rows.reduce((sum, row) => sum + row.flops, 0),
  };
  return { name: spec.name, title: spec.title, input: spec.input, rows, totals, paper: spec.paper, provenance: spec.provenance };
}

/** 9.47K, 119M, 1.6B: three significant figures, trailing zeros dropped; blank for zero. */
export function formatCount(value: number): string {
  if (value === 0) return '';
  for (const [size, suffix] of [[1e9, 'B'], [1e6, 'M'], [1e3, 'K']] as const) {
    const scaled = Number((value / size).toPrecision(3)); // 999,950 rounds up to 1M, not 1000K
    if (scaled >= 1) return `${scaled}${suffix}`;
  }
  return String(value);
}

/** A fixed-width text table for the terminal (`facet arch NN2`). */
export function formatArchTable(table: ArchTable): string {
  const header = ['layer', 'type', 'output', 'params', 'FLOPs', 'detail'];
  const body = table.rows.map((row) => [row.layer, row.kind, formatShape(row.outputShape), formatCount(row.params), formatCount(row.flops), row.detail]);
  const totals = ['total', '', '', formatCount(table.totals.params), formatCount(table.totals.flops), ''];
  const paper = ['paper', '', '', formatCount(table.paper.params ?? 0) || '—', formatCount(table.paper.flops ?? 0) || '—', table.paper.source];
  const lines = [header, ...body, totals, paper];
  const widths = header.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  const numeric = new Set([3, 4]);
  const render = (line: string[]) =>
    line.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  return [
    `${table.name}: ${table.title}, input ${formatShape(table.input)}`,
    `(${table.provenance}; FLOPs are multiply-adds)`,
    '',
    render(header),
    rule,
    ...body.map(render),
    rule,
    render(totals),
    render(paper),
  ].join('\n');
}
