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

describe('adapter designs', () => {
  it('the low-rank residual starts at the identity, learns the subspace and replays per seed', () => {
    const { vectors, labels } = subspaceFaces(3, 12, 16, 4);
    const run = (seed: number) => trainAdapter(vectors, 16, labels, { design: 'low-rank', rank: 2, steps: 200, seed, weightDecay: 0.001, learningRate: 0.02 });
    const untrained = trainAdapter(vectors, 16, labels, { design: 'low-rank', rank: 2, steps: 0 });
    assert.deepEqual(untrained.adapter.weights, identityAdapter(16).weights);
    const { adapter, losses } = run(2);
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(losses.slice(-10)) < 0.6 * mean(losses.slice(0, 10)), `loss ${mean(losses.slice(0, 10))} → ${mean(losses.slice(-10))}`);
    // W − I has rank 2 at most: every 3 × 3 minor of it vanishes.
    const delta = (k: number, j: number) => adapter.weights[k * 16 + j]! - (k === j ? 1 : 0);
    const minor = (r: number[], c: number[]) =>
      delta(r[0]!, c[0]!) * (delta(r[1]!, c[1]!) * delta(r[2]!, c[2]!) - delta(r[1]!, c[2]!) * delta(r[2]!, c[1]!)) -
      delta(r[0]!, c[1]!) * (delta(r[1]!, c[0]!) * delta(r[2]!, c[2]!) - delta(r[1]!, c[2]!) * delta(r[2]!, c[0]!)) +
      delta(r[0]!, c[2]!) * (delta(r[1]!, c[0]!) * delta(r[2]!, c[1]!) - delta(r[1]!, c[1]!) * delta(r[2]!, c[0]!));
    assert.ok(Math.abs(minor([0, 1, 5], [0, 1, 7])) < 1e-4 && Math.abs(minor([2, 3, 4], [0, 8, 9])) < 1e-4);
    assert.deepEqual(run(2).adapter.weights, adapter.weights, 'the same seed replays');
    assert.notDeepEqual(run(3).adapter.weights, adapter.weights, 'another seed initialises and batches differently');
  });

  it('early stopping keeps the snapshot with the best held-back AUC, the same weights a run of that many steps ends with', () => {
    const all = subspaceFaces(3, 16, 16, 4);
    const rows = (keep: (i: number) => boolean) => Array.from(all.labels, (_, i) => i).filter(keep);
    const train = rows((i) => i % 16 < 12);
    const held = rows((i) => i % 16 >= 12);
    const pick = (list: number[]) => ({ vectors: Float32Array.from(list.flatMap((i) => Array.from(all.vectors.subarray(i * 16, (i + 1) * 16)))), labels: list.map((i) => all.labels[i]!) });
    const options = { steps: 120, validateEvery: 20, seed: 5, learningRate: 0.2, weightDecay: 0 }; // a step size that overshoots
    const result = trainAdapter(pick(train).vectors, 16, pick(train).labels, { ...options, validation: pick(held) });
    assert.equal(result.validation.length, 7); // steps 0, 20, ..., 120
    const best = Math.max(...result.validation.map(([, auc]) => auc));
    assert.equal(result.validation.find(([step]) => step === result.bestStep)![1], best);
    assert.ok(result.validation.findIndex(([, auc]) => auc === best) === result.validation.findIndex(([step]) => step === result.bestStep), 'the earliest best');
    const replay = trainAdapter(pick(train).vectors, 16, pick(train).labels, { ...options, steps: result.bestStep });
    assert.deepEqual(result.adapter.weights, replay.adapter.weights);
  });

  it('refuses an unknown design and a rank beyond the dimension, naming the field', () => {
    const { vectors, labels } = subspaceFaces(3, 4, 8, 4);
    assert.throws(() => trainAdapter(vectors, 8, labels, { design: 'deep' as 'linear' }), (e: unknown) => e instanceof LearnInputError && e.field === 'design');
    assert.throws(() => trainAdapter(vectors, 8, labels, { design: 'low-rank', rank: 9 }), (e: unknown) => e instanceof LearnInputError && e.field === 'rank');
  });
});
