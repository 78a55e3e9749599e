import { accuracy, argmaxRows, confusionMatrix, macroAverage, meanNegativeLogLikelihood, perClassScores, type ClassScores } from './classification';
import { confidenceHistogram, eceFromBins, mean, reliabilityBins, type ReliabilityBin } from './calibration';

export const ECE_BINS = 15;
export const HISTOGRAM_BINS = 10;

/** Everything ls-bench reports about one arm on one labelled set. */
export interface EvaluationMetrics {
  accuracy: number;
  nll: number;
  ece: number;
  meanConfidence: number;
  confusionMatrix: number[][];
  perClass: ClassScores[];
  macro: { precision: number | null; recall: number | null; f1: number | null };
  reliability: ReliabilityBin[];
  /** Counts of predicted-class confidence in 10 equal bins over [0, 1]. */
  confidenceHistogram: number[];
}

/**
 * Metrics from row-major log-probabilities [n × numClasses] (log-softmax of the logits: NLL stays
 * finite and exact where a probability underflows to 0 in float32).
 */
export function evaluatePredictions(logProbs: Float32Array, labels: ArrayLike<number>, numClasses: number): EvaluationMetrics {
  const predicted = argmaxRows(logProbs, numClasses);
  const confidence = new Float64Array(labels.length);
  const correct = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    confidence[i] = Math.min(1, Math.exp(logProbs[i * numClasses + predicted[i]!]!));
    correct[i] = predicted[i] === labels[i] ? 1 : 0;
  }
  const confusion = confusionMatrix(predicted, labels, numClasses);
  const perClass = perClassScores(confusion);
  const bins = reliabilityBins(confidence, correct, ECE_BINS);
  return {
    accuracy: accuracy(predicted, labels),
    nll: meanNegativeLogLikelihood(logProbs, labels, numClasses),
    ece: eceFromBins(bins),
    meanConfidence: mean(confidence),
    confusionMatrix: confusion,
    perClass,
    macro: macroAverage(perClass),
    reliability: bins,
    confidenceHistogram: confidenceHistogram(confidence, HISTOGRAM_BINS),
  };
}
