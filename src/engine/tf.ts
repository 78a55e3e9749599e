/**
 * The one place that loads TensorFlow.js. `@tensorflow/tfjs` is the union package: core, the cpu
 * backend and every gradient. Prod mode silences the "install tfjs-node" banner (ls-bench says which
 * backend it is on itself) and skips debug checks that cost time.
 */
import * as tf from '@tensorflow/tfjs';

tf.enableProdMode();

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
