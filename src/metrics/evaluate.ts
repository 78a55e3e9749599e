import {
  accuracy,
  argmaxRows,
  CLASS_DETAIL_LIMIT,
  confusionEntries,
  confusionMatrix,
  macroAverage,
  meanNegativeLogLikelihood,
  perClassScoresOf,
  topConfusions,
  type ClassScores,
  type ConfusionEntry,
} from './classification';
import { confidenceHistogram, eceFromBins, mean, reliabilityBins, type ReliabilityBin } from './calibration';

export const ECE_BINS = 15;
export const HISTOGRAM_BINS = 10;
/** The most confused pairs of classes kept with every arm's metrics. */
export const TOP_CONFUSIONS = 20;

/** Everything ls-bench reports about one arm on one labelled set. */
export interface EvaluationMetrics {
  accuracy: number;
  nll: number;
  ece: number;
  meanConfidence: number;
  /** The dense matrix, confusion[true][predicted], for at most CLASS_DETAIL_LIMIT classes; absent above. */
  confusionMatrix?: number[][];
  /** The TOP_CONFUSIONS most frequent (true, predicted) pairs of different classes. */
  topConfusions: ConfusionEntry[];
  /** Every non-zero cell of the matrix (what confusion.json keeps when the dense matrix is not kept). */
  confusionEntries: ConfusionEntry[];
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
  const entries = confusionEntries(predicted, labels, numClasses);
  const perClass = perClassScoresOf(entries, numClasses);
  const bins = reliabilityBins(confidence, correct, ECE_BINS);
  return {
    accuracy: accuracy(predicted, labels),
    nll: meanNegativeLogLikelihood(logProbs, labels, numClasses),
    ece: eceFromBins(bins),
    meanConfidence: mean(confidence),
    ...(numClasses <= CLASS_DETAIL_LIMIT ? { confusionMatrix: confusionMatrix(predicted, labels, numClasses) } : {}),
    topConfusions: topConfusions(entries, TOP_CONFUSIONS),
    confusionEntries: entries,
    perClass,
    macro: macroAverage(perClass),
    reliability: bins,
    confidenceHistogram: confidenceHistogram(confidence, HISTOGRAM_BINS),
  };
}
