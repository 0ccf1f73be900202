/** --precision and FACET_PRECISION reach a command's context like --backend, checked before it runs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineCommand } from './command.ts';
import { main, registerCommand } from './main.ts';

let seen: string | undefined | null = null;
let seenOption: string | undefined | null = null;
registerCommand('precision-probe', async () => defineCommand({
  summary: 'test only: reports the precision it was given',
  usage: 'facet precision-probe',
  async run({ precision, precisionOption }) {
    seen = precision;
    seenOption = precisionOption;
    return 0;
  },
}));

async function facet(env: string | undefined, ...argv: string[]): Promise<{ code: number; stderr: string }> {
  const saved = process.env.FACET_PRECISION;
  if (env === undefined) delete process.env.FACET_PRECISION;
  else process.env.FACET_PRECISION = env;
  let stderr = '';
  try {
    const code = await main(argv, { out: () => {}, write: () => {}, err: (text) => { stderr += text + '\n'; } });
    return { code, stderr };
  } finally {
    if (saved === undefined) delete process.env.FACET_PRECISION;
    else process.env.FACET_PRECISION = saved;
  }
}

test('--precision anywhere on the line, else FACET_PRECISION, else undefined (the default)', async () => {
  assert.equal((await facet(undefined, '--precision', 'int8', 'precision-probe')).code, 0);
  assert.equal(seen, 'int8');
  assert.equal((await facet('int8', 'precision-probe', '--precision', 'fp32')).code, 0);
  assert.equal(seen, 'fp32', 'the option wins over the variable');
  await facet('int8', 'precision-probe');
  assert.equal(seen, 'int8');
  await facet(undefined, 'precision-probe');
  assert.equal(seen, undefined);
});

test('precisionOption is the option alone: FACET_PRECISION does not reach it (scans put the library\'s choice first)', async () => {
  await facet('int8', 'precision-probe');
  assert.deepEqual([seen, seenOption], ['int8', undefined]);
  await facet('int8', 'precision-probe', '--precision', 'int8-embedder');
  assert.deepEqual([seen, seenOption], ['int8-embedder', 'int8-embedder']);
});

test('a wrong precision is a usage error naming the option or the variable', async () => {
  seen = null;
  const option = await facet(undefined, 'precision-probe', '--precision', 'int4');
  assert.equal(option.code, 2);
  assert.match(option.stderr, /--precision must be one of fp32, int8-embedder, int8, not "int4"/);
  const variable = await facet('half', 'precision-probe');
  assert.equal(variable.code, 2);
  assert.match(variable.stderr, /FACET_PRECISION must be one of fp32, int8-embedder, int8, not "half"/);
  assert.equal(seen, null, 'the command never ran');
});
