import { expect, test } from 'vitest';
import { arrowTarget, layoutTimeline, rowOfPhoto, rowsInView } from './timeline.ts';

const months = [{ month: '2024-05', count: 5 }, { month: '2024-03', count: 2 }, { month: '2023-12', count: 4 }];

test('months become a header row and rows of photos', () => {
  const layout = layoutTimeline(months, 3, 100, 40);
  expect(layout.rows.map((r) => (r.kind === 'month' ? r.month : `${r.start}+${r.length}`))).toEqual([
    '2024-05', '0+3', '3+2', '2024-03', '5+2', '2023-12', '7+3', '10+1',
  ]);
  expect(layout.height).toBe(3 * 40 + 5 * 100);
  expect(rowOfPhoto(layout, 4)).toBe(2);
  expect(rowOfPhoto(layout, 10)).toBe(7);
});

test('only the rows in view (with spares) are rendered, even at 100,000 photos', () => {
  const layout = layoutTimeline(months, 3, 100, 40);
  expect(rowsInView(layout, 150, 100, 0).map((r) => r.top)).toEqual([140, 240]);
  const big = layoutTimeline(Array.from({ length: 300 }, (_, i) => ({ month: `m${i}`, count: 333 })), 6, 160, 44);
  const started = performance.now();
  const rows = rowsInView(big, big.height / 2, 900);
  expect(performance.now() - started).toBeLessThan(20);
  expect(rows.length).toBeLessThan(14);
});

test('arrows: left and right along the timeline, up and down to the same column of the next row across months', () => {
  const layout = layoutTimeline(months, 3, 100, 40);
  expect(arrowTarget(layout, 11, 4, 'ArrowRight')).toBe(5);
  expect(arrowTarget(layout, 11, 0, 'ArrowLeft')).toBe(0);
  expect(arrowTarget(layout, 11, 2, 'ArrowDown')).toBe(4); // row 3+2 has only two photos: the last one
  expect(arrowTarget(layout, 11, 4, 'ArrowDown')).toBe(6); // into March
  expect(arrowTarget(layout, 11, 6, 'ArrowUp')).toBe(4);
  expect(arrowTarget(layout, 11, 10, 'ArrowDown')).toBe(10);
});
