import { tf, type Tensor } from './tf';

/**
 * −mean_i Σ_k q_ik · log softmax(logits)_ik, the training objective of every arm. `targets` are the
 * smoothed distributions from smoothTargets (one-hot for the hard arm), so the tensor math is the
 * math of labelSmoothingCrossEntropy. log-softmax subtracts the row max: finite at logits of ±50 and beyond.
 */
export function smoothedCrossEntropy(logits: Tensor, targets: Tensor): Tensor {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))));
}
