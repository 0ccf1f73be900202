/**
 * Parameter and FLOP counts against the paper. Worked out from the specs alone: no weights are allocated,
 * so NN1 is counted here without its 140M parameters.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../main/embed/backend.ts';
import { archTable, formatArchTable, formatCount } from './archTable.ts';
import { FACENET_NAMES } from './architectures.ts';
import { FaceNetError } from './errors.ts';

function within(actual: number, expected: number, fraction: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= fraction * expected, `${what}: ${formatCount(actual)} vs ${formatCount(expected)}`);
}

/** Table 1 as printed: params and FLOPs per row, in thousands and millions. */
const TABLE_1: Record<string, [paramsK: number, flopsM: number]> = {
  conv1: [9, 115], conv2a: [4, 13], conv2: [111, 335], conv3a: [37, 29], conv3: [664, 521],
  conv4a: [148, 29], conv4: [885, 173], conv5a: [66, 13], conv5: [590, 116], conv6a: [66, 13], conv6: [590, 29],
  fc1: [103_000, 103], fc2: [34_000, 34], fc7128: [524, 0.5],
};

/** Table 2 as printed. */
const TABLE_2: Record<string, [paramsK: number, flopsM: number]> = {
  conv1: [9, 119], inception_2: [115, 360], inception_3a: [164, 128], inception_3b: [228, 179], inception_3c: [398, 108],
  inception_4a: [545, 107], inception_4b: [595, 117], inception_4c: [654, 128], inception_4d: [722, 142],
  inception_4e: [717, 56], inception_5a: [1600, 78], inception_5b: [1600, 78], fc: [131, 0.1],
};

/**
 * A printed figure matches when it is our count rounded to the digits shown (9K for 9.47K, 0.5M for 524K),
 * or within 5% of it (1.6M for 1.59M).
 */
function assertPrinted(actual: number, printed: number, unit: number, what: string): void {
  const decimals = (String(printed).split('.')[1] ?? '').length;
  const halfDigit = 0.5 * 10 ** -decimals * unit;
  const tolerance = Math.max(halfDigit, 0.05 * printed * unit);
  assert.ok(Math.abs(actual - printed * unit) <= tolerance, `${what}: ${formatCount(actual)} vs printed ${printed}`);
}

function assertRowsMatch(name: string, printed: Record<string, [number, number]>): void {
  const rows = new Map(archTable(name).rows.map((row) => [row.layer, row]));
  for (const [layer, [paramsK, flopsM]] of Object.entries(printed)) {
    const row = rows.get(layer);
    assert.ok(row, `${name} has no row ${layer}`);
    assertPrinted(row.params, paramsK, 1e3, `${name} ${layer} params`);
    assertPrinted(row.flops, flopsM, 1e6, `${name} ${layer} FLOPs`);
  }
}

describe('archTable', () => {
  before(() => initBackend());

  it('counts NN1 at ≈140M parameters and ≈1.6 GFLOPs (within 10%), row by row as Table 1', () => {
    const { totals, rows } = archTable('NN1');
    within(totals.params, 140e6, 0.1, 'NN1 params');
    within(totals.flops, 1.6e9, 0.1, 'NN1 FLOPs');
    assertRowsMatch('NN1', TABLE_1);
    assert.deepEqual(rows.at(-1)!.outputShape, [128]);
  });

  it('counts NN2 at ≈7.5M parameters and ≈1.6 GFLOPs (within 10%), row by row as Table 2', () => {
    const { totals } = archTable('NN2');
    within(totals.params, 7.5e6, 0.1, 'NN2 params');
    within(totals.flops, 1.6e9, 0.1, 'NN2 FLOPs');
    assertRowsMatch('NN2', TABLE_2);
    const shapes = Object.fromEntries(archTable('NN2').rows.map((row) => [row.layer, row.outputShape.join('×')]));
    assert.equal(shapes.inception_3a, '28×28×256');
    assert.equal(shapes.inception_3c, '14×14×640');
    assert.equal(shapes.inception_4e, '7×7×1024');
    assert.equal(shapes.avg_pool, '1×1×1024');
  });

  it('gives NN3 the parameters of NN2, NN4 the paper\'s 285M FLOPs, NNS1 and NNS2 their reported totals', () => {
    assert.equal(archTable('NN3').totals.params, archTable('NN2').totals.params);
    within(archTable('NN4').totals.flops, 285e6, 0.05, 'NN4 FLOPs');
    within(archTable('NN4').totals.params, 6.6e6, 0.05, 'NN4 params');
    within(archTable('NNS1').totals.params, 26e6, 0.1, 'NNS1 params');
    within(archTable('NNS1').totals.flops, 220e6, 0.1, 'NNS1 FLOPs');
    within(archTable('NNS2').totals.params, 4.3e6, 0.1, 'NNS2 params');
    within(archTable('NNS2').totals.flops, 20e6, 0.1, 'NNS2 FLOPs');
  });

  it('ends every network in a 128-D L2 normalisation and allocates no tensor', () => {
    const before = tf.memory().numTensors;
    for (const name of FACENET_NAMES) {
      const last = archTable(name).rows.at(-1)!;
      assert.equal(last.kind, 'L2 normalisation', name);
      assert.deepEqual(last.outputShape, [128], name);
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('prints a table with every layer, the totals and the paper\'s figures', () => {
    const text = formatArchTable(archTable('nn2'));
    for (const row of archTable('NN2').rows) assert.match(text, new RegExp(`^${row.layer} `, 'm'));
    assert.match(text, /^total .* 7\.46M +1\.6B$/m);
    assert.match(text, /^paper .* 7\.5M +1\.6B +Table 2$/m);
  });

  it('names the field when the network is unknown', () => {
    assert.throws(() => archTable('NN9'), (e: unknown) => e instanceof FaceNetError && e.field === 'name' && /NN1, NN2/.test(e.message));
  });

  it('formats counts to three significant figures', () => {
    assert.deepEqual([9472, 114_600_000, 1_523_000_000, 140_025_664, 999_950, 1.6e9, 0, 512].map(formatCount), ['9.47K', '115M', '1.52B', '140M', '1M', '1.6B', '', '512']);
  });
});
