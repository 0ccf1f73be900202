import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AnalysisPool, backgroundWorkerCount } from './analysisPool.ts';

test('a background scan leaves a core free on machines with 4 or more, and keeps to a set limit', () => {
  assert.equal(backgroundWorkerCount(2), 2);
  assert.equal(backgroundWorkerCount(1), 1);
  assert.equal(backgroundWorkerCount(4), 3);
  assert.equal(backgroundWorkerCount(16), 15);
  assert.equal(backgroundWorkerCount(8, 2), 2);
  assert.equal(backgroundWorkerCount(2, 6), 2);
  assert.throws(() => backgroundWorkerCount(8, 0), RangeError);
});

/** Nice values of this process's threads (Linux: field 19 of /proc/self/task/TID/stat). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

test('low-priority workers run at nice 10, the rest of the process unchanged', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const before = threadNiceValues().filter((nice) => nice === 10).length;
  const pool = await AnalysisPool.create({ workers: 1, priority: 'low' });
  try {
    const after = threadNiceValues();
    // The worker thread, and the threads it starts (they inherit its nice value).
    assert.ok(after.filter((nice) => nice === 10).length > before, `thread nice values: ${after.join(' ')}`);
    assert.ok(after.some((nice) => nice === 0), 'the main thread keeps its priority');
  } finally {
    await pool.close();
  }
});
