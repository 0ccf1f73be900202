/**
 * The optimizers `facet train` offers, and their state under stable names for checkpoints.
 *
 * tfjs keeps an optimizer's slots (AdaGrad's accumulators, Adam's moments) by position in the list of
 * variables it was given, and names them after the variables' process-local ids ("417/accumulator").
 * Checkpoints rename them after the network's weight names ("conv1/kernel/accumulator") and back, and
 * gradients are always applied in the network's variable order, so a resumed run lines up slot by slot.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LearnInputError } from '../learn/errors.ts';
import type { NamedTensor } from './weightsFile.ts';

export const OPTIMIZER_NAMES = ['adagrad', 'adam', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** AdaGrad at 0.05 is the paper's choice (§3.3); Adam needs a much smaller step. */
export const DEFAULT_LEARNING_RATES: Readonly<Record<OptimizerName, number>> = { adagrad: 0.05, adam: 1e-3, sgd: 0.05 };

export function parseOptimizerName(value: string): OptimizerName {
  const name = OPTIMIZER_NAMES.find((known) => known === value.trim().toLowerCase());
  if (!name) throw new LearnInputError(`unknown optimizer "${value}": use one of ${OPTIMIZER_NAMES.join(', ')}`, 'optimizer');
  return name;
}

export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  if (!(Number.isFinite(learningRate) && learningRate > 0)) throw new LearnInputError(`learning rate must be > 0, got ${learningRate}`, 'learningRate');
  switch (name) {
    case 'adagrad':
      return tf.train.adagrad(learningRate);
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.sgd(learningRate);
  }
}

/** Applies `grads` to `variables` in that order (the order the slots were created in). */
export function applyInOrder(optimizer: tf.Optimizer, variables: readonly tf.Variable[], grads: tf.NamedTensorMap): void {
  optimizer.applyGradients(
    variables.map((variable) => {
      const tensor = grads[variable.name];
      if (!tensor) throw new LearnInputError(`no gradient for variable ${variable.name}`, 'variables');
      return { name: variable.name, tensor };
    }),
  );
}

/** The optimizer's state, slot names rewritten from variable ids to the stable weight names. */
export async function optimizerState(optimizer: tf.Optimizer, stableNames: ReadonlyMap<string, string>): Promise<NamedTensor[]> {
  const weights = await optimizer.getWeights();
  return weights.map(({ name, tensor }) => ({ name: renamePrefix(name, stableNames), tensor }));
}

/** Restores state saved by `optimizerState`; `variableNames` maps stable names to this process's variable ids. */
export async function restoreOptimizerState(
  optimizer: tf.Optimizer,
  saved: readonly NamedTensor[],
  variableNames: ReadonlyMap<string, string>,
): Promise<void> {
  await optimizer.setWeights(saved.map(({ name, tensor }) => ({ name: renamePrefix(name, variableNames), tensor })));
}

/** "417/accumulator" → "conv1/kernel/accumulator" (the longest matching prefix wins); other names unchanged. */
function renamePrefix(name: string, names: ReadonlyMap<string, string>): string {
  let best = '';
  for (const from of names.keys()) {
    if ((name === from || name.startsWith(`${from}/`)) && from.length > best.length) best = from;
  }
  return best ? names.get(best)! + name.slice(best.length) : name;
}
