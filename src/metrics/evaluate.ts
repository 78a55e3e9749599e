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
import {
  adaptiveCalibrationError,
  brierScore,
  classwiseCalibrationError,
  confidenceHistogram,
  eceFromBins,
  mceFromBins,
  mean,
  reliabilityBins,
  type ReliabilityBin,
} from './calibration';

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
  /** Mean over samples of Σ_k (p_k − onehot_k)². */
  brier: number;
  /** The largest bin gap of the 15-bin ECE. */
  mce: number;
  /** ECE over 15 equal-mass bins. */
  adaptiveEce: number;
  /** The 15-bin ECE of each class's probability, averaged over the classes (Kull et al., 2019). */
  classwiseEce: number;
  /** Mean confidence − accuracy: > 0 over-confident, < 0 under-confident. */
  calibrationGap: number;
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

/** The predicted class, its confidence and whether it is right, per sample. */
export function topLabel(logProbs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): { predicted: Int32Array; confidence: Float64Array; correct: Uint8Array } {
  const predicted = argmaxRows(logProbs, numClasses);
  const confidence = new Float64Array(labels.length);
  const correct = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    confidence[i] = Math.min(1, Math.exp(logProbs[i * numClasses + predicted[i]!]!));
    correct[i] = predicted[i] === labels[i] ? 1 : 0;
  }
  return { predicted, confidence, correct };
}

/**
 * Metrics from row-major log-probabilities [n × numClasses] (log-softmax of the logits: NLL stays
 * finite and exact where a probability underflows to 0 in float32).
 */
export function evaluatePredictions(logProbs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): EvaluationMetrics {
  const { predicted, confidence, correct } = topLabel(logProbs, labels, numClasses);
  const entries = confusionEntries(predicted, labels, numClasses);
  const perClass = perClassScoresOf(entries, numClasses);
  const bins = reliabilityBins(confidence, correct, ECE_BINS);
  const acc = accuracy(predicted, labels);
  const meanConfidence = mean(confidence);
  return {
    accuracy: acc,
    nll: meanNegativeLogLikelihood(logProbs, labels, numClasses),
    ece: eceFromBins(bins),
    meanConfidence,
    brier: brierScore(logProbs, labels, numClasses),
    mce: mceFromBins(bins),
    adaptiveEce: adaptiveCalibrationError(confidence, correct, ECE_BINS),
    classwiseEce: classwiseCalibrationError(logProbs, labels, numClasses, ECE_BINS),
    calibrationGap: meanConfidence - acc,
    ...(numClasses <= CLASS_DETAIL_LIMIT ? { confusionMatrix: confusionMatrix(predicted, labels, numClasses) } : {}),
    topConfusions: topConfusions(entries, TOP_CONFUSIONS),
    confusionEntries: entries,
    perClass,
    macro: macroAverage(perClass),
    reliability: bins,
    confidenceHistogram: confidenceHistogram(confidence, HISTOGRAM_BINS),
  };
}
