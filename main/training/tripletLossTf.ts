/**
 * The triplet loss as a tfjs scalar, for training: the same sum (or mean) of hinges as `tripletLoss`,
 * differentiable with tf.variableGrads / optimizer.minimize. Triplets are chosen beforehand on CPU
 * (selectTriplets over the batch's embeddings), then fixed here as index tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LearnInputError } from '../learn/errors.ts';
import '../../native-models/facenet/tfGradients.ts';
import { type Triplet, type TripletLossOptions, resolveLossOptions } from '../learn/tripletLoss.ts';

/**
 * Rows of a matrix, differentiable on every backend. tf.gather's own gradient needs the
 * UnsortedSegmentSum kernel, which the wasm backend lacks; scatterND (which sums repeated rows) stands in.
 */
const gatherRows = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [matrix, rows, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([rows]);
  return {
    value: tf.gather(matrix, rows), // [rows, d]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const indices = saved[0]!;
      const summed = tf.scatterND(tf.expandDims(indices, 1), dy, matrix.shape); // [n, d]
      return [summed, tf.zerosLike(indices)];
    },
  };
}) as (matrix: tf.Tensor2D, rows: tf.Tensor1D) => tf.Tensor2D;

/**
 * Σ_t [ |a-p|² - |a-n|² + α ]_+ over `embeddings` [n, d]. Returns a scalar; intermediate tensors are released.
 * The caller disposes the result (optimizer.minimize does so itself).
 */
export function tripletLossTensor(
  embeddings: tf.Tensor2D,
  triplets: readonly Triplet[],
  options: TripletLossOptions = {},
): tf.Scalar {
  const { margin, reduction } = resolveLossOptions(options);
  const n = embeddings.shape[0];
  for (const [index, t] of triplets.entries()) {
    if ([t.anchor, t.positive, t.negative].some((row) => !Number.isInteger(row) || row < 0 || row >= n)) {
      throw new LearnInputError(`triplet ${index} names a row outside 0..${n - 1}`, 'triplets');
    }
  }
  if (triplets.length === 0) return tf.tidy(() => tf.mul(tf.sum(embeddings), 0) as tf.Scalar); // zero, still a function of the embeddings
  return tf.tidy(() => {
    const rows = (pick: (t: Triplet) => number) =>
      gatherRows(embeddings, tf.tensor1d(triplets.map(pick), 'int32')); // [T, d]
    const anchors = rows((t) => t.anchor);
    const positiveDistances = tf.sum(tf.squaredDifference(anchors, rows((t) => t.positive)), 1); // [T]
    const negativeDistances = tf.sum(tf.squaredDifference(anchors, rows((t) => t.negative)), 1); // [T]
    const hinges = tf.relu(tf.add(tf.sub(positiveDistances, negativeDistances), margin)); // [T]
    return (reduction === 'mean' ? tf.mean(hinges) : tf.sum(hinges)) as tf.Scalar;
  });
}
