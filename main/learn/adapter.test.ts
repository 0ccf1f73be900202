import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adapterForward, adapterGradient, applyAdapter, createAdapter, decodeWeights, encodeWeights, identityAdapter } from './adapter.ts';
import { trainAdapter } from './adapterTraining.ts';
import { LearnInputError } from './errors.ts';
import { selectTriplets } from './mining.ts';
import { createRng } from '../core/random.ts';
import { blockLabels, numericGradient, randomUnitRows, subspaceFaces } from './testData.ts';
import { tripletLoss, tripletLossWithGradient } from './tripletLoss.ts';

describe('linear adapter', () => {
  it('starts as the identity: unit embeddings come out unchanged', () => {
    const x = randomUnitRows(5, 8, 1);
    const y = applyAdapter(identityAdapter(8), x);
    y.forEach((value, i) => assert.ok(Math.abs(value - x[i]!) < 1e-6));
  });

  it('L2-normalises its outputs', () => {
    const adapter = createAdapter(3, [2, 0, 0, 0, 1, 0, 0, 0, 0.5]);
    const y = applyAdapter(adapter, Float32Array.from([0.6, 0.8, 0, 0, 0, 1]));
    assert.ok(Math.abs(Math.hypot(y[0]!, y[1]!, y[2]!) - 1) < 1e-6);
    assert.deepEqual(Array.from(y.subarray(3)), [0, 0, 1]);
    assert.ok(Math.abs(y[0]! - 1.2 / Math.hypot(1.2, 0.8)) < 1e-6);
  });

  it('has the gradient of the triplet loss through W that central differences give', () => {
    const dim = 4;
    const labels = blockLabels(3, 3);
    const x = randomUnitRows(labels.length, dim, 5);
    const weights = Float64Array.from(identityAdapter(dim).weights, (v, i) => v + 0.3 * Math.sin(i * 1.7)); // away from I
    const { triplets } = selectTriplets(adapterForward(weights, dim, x).outputs, dim, labels, createRng(3), { fallback: 'hardest' });
    assert.ok(triplets.length > 3);
    const forward = adapterForward(weights, dim, x);
    const { gradient } = tripletLossWithGradient(forward.outputs, dim, triplets);
    const analytic = adapterGradient(dim, x, forward, gradient);
    const lossOf = (w: Float32Array) => tripletLoss(adapterForward(w, dim, x).outputs, dim, triplets);
    const numeric = numericGradient(Float32Array.from(weights), lossOf, 1e-3);
    analytic.forEach((value, i) => assert.ok(Math.abs(value - numeric[i]!) < 2e-3, `W[${i}]: ${value} vs ${numeric[i]}`));
  });

  it('round-trips its weights through base64, refusing the wrong size', () => {
    const weights = Float32Array.from({ length: 9 }, (_, i) => i / 7 - 0.5);
    assert.deepEqual(decodeWeights(encodeWeights(weights), 3), weights);
    assert.throws(() => decodeWeights(encodeWeights(weights), 4), (e: unknown) => e instanceof LearnInputError && e.field === 'weights');
  });
});

describe('trainAdapter', () => {
  it('learns to stretch the subspace where persons differ: the loss falls and the same seed replays', () => {
    const { vectors, labels } = subspaceFaces(3, 12, 16, 4);
    const run = () => trainAdapter(vectors, 16, labels, { steps: 200, seed: 2, weightDecay: 0.01 });
    const { adapter, losses } = run();
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(losses.slice(-10)) < 0.6 * mean(losses.slice(0, 10)), `loss ${mean(losses.slice(0, 10))} → ${mean(losses.slice(-10))}`);
    // A signal dimension gains weight over every noise dimension.
    const diagonal = (k: number) => adapter.weights[k * 16 + k]!;
    assert.ok(Math.max(diagonal(0), diagonal(1)) > 1.3 * Math.max(...Array.from({ length: 14 }, (_, k) => diagonal(k + 2))));
    assert.deepEqual(run().adapter.weights, adapter.weights);
  });

  it('refuses data with fewer than two persons of two faces', () => {
    assert.throws(() => trainAdapter(randomUnitRows(3, 4, 1), 4, [0, 0, 1]), (e: unknown) => e instanceof LearnInputError && e.field === 'labels');
  });
});
