/**
 * Registers tfjs gradients, for tf.variableGrads and the optimizers. Imported for its side effect by the
 * FaceNet model and the tfjs triplet loss, so anything that trains has them.
 *
 * tfjs-core's Node bundle ships no gradient functions; tfjs-layers' bundle registers all of them in the
 * shared global registry when it loads (that is how @tensorflow/tfjs gets them). Loading the ESM file
 * `tfjs-core/dist/register_all_gradients` instead does not work in Node: its imports have no extensions.
 */
import '@tensorflow/tfjs-layers';
