/**
 * The Photos timeline's layout: months (newest first) as a header row each, then their photos in rows of
 * `columns`. Pure, so it is tested without a DOM: which rows are in view, where a photo sits, and where the
 * arrow keys go from it.
 */
import type { TimelineMonth } from '../../../main/api/contract.ts';

export type TimelineRow =
  | { kind: 'month'; top: number; height: number; month: string; count: number }
  | { kind: 'photos'; top: number; height: number; start: number; length: number };

export interface TimelineLayout {
  rows: TimelineRow[];
  height: number;
  /** For each photo row, its index in rows (photo rows in order), to find a photo's row by binary search. */
  photoRows: number[];
}

export function layoutTimeline(months: readonly TimelineMonth[], columns: number, rowHeight: number, headerHeight: number): TimelineLayout {
  const rows: TimelineRow[] = [];
  const photoRows: number[] = [];
  let top = 0;
  let start = 0;
  for (const { month, count } of months) {
    rows.push({ kind: 'month', top, height: headerHeight, month, count });
    top += headerHeight;
    for (let offset = 0; offset < count; offset += columns) {
      photoRows.push(rows.length);
      rows.push({ kind: 'photos', top, height: rowHeight, start: start + offset, length: Math.min(columns, count - offset) });
      top += rowHeight;
    }
    start += count;
  }
  return { rows, height: top, photoRows };
}

/** Rows overlapping [viewTop, viewTop + viewHeight], plus `spare` rows either side. */
export function rowsInView(layout: TimelineLayout, viewTop: number, viewHeight: number, spare = 2): TimelineRow[] {
  const { rows } = layout;
  let lo = 0, hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.top + rows[mid]!.height <= viewTop) lo = mid + 1;
    else hi = mid;
  }
  const first = Math.max(0, lo - spare);
  let last = lo;
  while (last < rows.length && rows[last]!.top < viewTop + viewHeight) last++;
  return rows.slice(first, Math.min(rows.length, last + spare));
}

/** The index in layout.rows of the row holding photo `index`. */
export function rowOfPhoto(layout: TimelineLayout, index: number): number {
  const { rows, photoRows } = layout;
  let lo = 0, hi = photoRows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((rows[photoRows[mid]!] as Extract<TimelineRow, { kind: 'photos' }>).start <= index) lo = mid;
    else hi = mid - 1;
  }
  return photoRows[lo] ?? -1;
}

/** Where an arrow key goes from photo `index`: left/right along the timeline, up/down to the same column of the next photo row. */
export function arrowTarget(layout: TimelineLayout, total: number, index: number, key: string): number {
  if (total === 0) return 0;
  if (key === 'ArrowLeft') return Math.max(0, index - 1);
  if (key === 'ArrowRight') return Math.min(total - 1, index + 1);
  const at = layout.photoRows.indexOf(rowOfPhoto(layout, index));
  const row = layout.rows[layout.photoRows[at]!] as Extract<TimelineRow, { kind: 'photos' }>;
  const column = index - row.start;
  const nextAt = key === 'ArrowDown' ? at + 1 : key === 'ArrowUp' ? at - 1 : at;
  const next = layout.rows[layout.photoRows[nextAt] ?? -1] as Extract<TimelineRow, { kind: 'photos' }> | undefined;
  if (!next) return index;
  return next.start + Math.min(column, next.length - 1);
}
