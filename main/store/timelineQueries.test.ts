import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT, createTestStore, faceInput, photoPath } from './testing.ts';
import { TimelineQueries, nextDay } from './timelineQueries.ts';

function setup() {
  const store = createTestStore();
  const root = store.roots.add(ROOT);
  const add = (name: string, takenAt: string | null, mtimeMs = Date.UTC(2020, 0, 1)) =>
    store.photos.upsert({ rootId: root.id, path: photoPath(name), size: 1, mtimeMs, contentHash: `h-${name}`, width: 10, height: 10, takenAt }).id;
  return { store, add, timeline: new TimelineQueries(store.db) };
}

test('timeline: newest first by EXIF date, else the file date (and it says which); months with counts', () => {
  const { timeline, add } = setup();
  const a = add('a.jpg', '2021-07-04T12:30:00');
  const b = add('b.jpg', '2023-01-02T08:00:00');
  const c = add('c.jpg', null, new Date(2022, 4, 5, 10, 0, 0).getTime());
  const d = add('d.jpg', '2023-01-02T08:00:00');
  const page = timeline.page({}, 0, 10);
  assert.deepEqual(page.map((p) => p.id), [d, b, c, a], 'date descending, then id descending');
  assert.equal(page[2]!.dateSource, 'file');
  assert.equal(page[2]!.date, '2022-05-05T10:00:00', 'the file date in local time');
  assert.equal(page[0]!.dateSource, 'exif');
  assert.deepEqual(timeline.months({}), [{ month: '2023-01', count: 2 }, { month: '2022-05', count: 1 }, { month: '2021-07', count: 1 }]);
  assert.deepEqual(timeline.page({}, 1, 2).map((p) => p.id), [b, c]);
  const middle = timeline.neighbours({}, c);
  assert.deepEqual([middle.previous, middle.index, middle.next], [b, 2, a]);
  const first = timeline.neighbours({}, d);
  assert.deepEqual([first.previous, first.index, first.next], [null, 0, b]);
});

test('timeline: only photos with every chosen person, within the date range (inclusive)', () => {
  const { store, timeline, add } = setup();
  const ann = store.persons.create({ name: 'Ann' }).id;
  const bob = store.persons.create({ name: 'Bob' }).id;
  const both = add('both.jpg', '2022-03-31T23:59:59');
  const annOnly = add('ann.jpg', '2022-04-01T00:00:00');
  const nobody = add('none.jpg', '2022-03-15T00:00:00');
  const [f1, f2] = store.faces.insertDetected(both, 'det', [faceInput(), faceInput()]);
  const [f3] = store.faces.insertDetected(annOnly, 'det', [faceInput()]);
  store.assignments.assignByUser([f1!, f3!], ann);
  store.assignments.assignByUser([f2!], bob);
  assert.deepEqual(timeline.page({ personIds: [ann] }, 0, 10).map((p) => p.id), [annOnly, both]);
  assert.deepEqual(timeline.page({ personIds: [ann, bob] }, 0, 10).map((p) => p.id), [both]);
  assert.deepEqual(timeline.page({ from: '2022-03-20', to: '2022-03-31' }, 0, 10).map((p) => p.id), [both], 'to is inclusive');
  assert.deepEqual(timeline.page({ to: '2022-03-15' }, 0, 10).map((p) => p.id), [nobody]);
  assert.equal(timeline.neighbours({ personIds: [bob] }, annOnly).index, -1, 'not in that timeline');
  assert.equal(nextDay('2024-02-28'), '2024-02-29');
  assert.equal(nextDay('2023-12-31'), '2024-01-01');
});

test('timeline: 100,000 photos give their months and any page quickly', () => {
  const { store, timeline } = setup();
  const root = store.roots.list()[0]!;
  const insert = store.db.prepare(`INSERT INTO photos (root_id, path, size, mtime_ms, content_hash, width, height, taken_at, status, scanned_at)
    VALUES (?, ?, 1, 0, NULL, 10, 10, ?, 'ok', 0)`);
  store.db.transaction(() => {
    for (let i = 0; i < 100_000; i++) {
      const day = new Date(Date.UTC(2000, 0, 1) + i * 3_600_000 * 2).toISOString().slice(0, 19);
      insert.run(root.id, photoPath(`p${i}.jpg`), day);
    }
  })();
  let started = performance.now();
  const months = timeline.months({});
  const monthsMs = performance.now() - started;
  assert.equal(months.reduce((s, m) => s + m.count, 0), 100_000);
  started = performance.now();
  const page = timeline.page({}, 50_000, 200);
  const pageMs = performance.now() - started;
  assert.equal(page.length, 200);
  console.log(`timeline of 100,000 photos: months in ${monthsMs.toFixed(0)} ms, a page at offset 50,000 in ${pageMs.toFixed(0)} ms`);
  assert.ok(monthsMs < 2000 && pageMs < 2000, 'well under the two seconds a scroll can wait');
});
