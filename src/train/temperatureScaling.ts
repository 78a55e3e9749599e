import type { LabelledSplit } from '../data/Dataset';
import { evaluatePredictions, type EvaluationMetrics } from '../metrics/evaluate';
import { fitTemperature, scaleLogProbs } from '../metrics/temperature';

/** One arm after temperature scaling: T fitted on the validation set, then the test set scored at T. */
export interface TemperatureScaledArm {
  temperature: number;
  /** Validation NLL at T, and at T = 1. */
  validationNll: number;
  validationNllUnscaled: number;
  validationSamples: number;
  /** Set when T hit an end of the search range (see TEMPERATURE_RANGE). */
  atBound: 'min' | 'max' | null;
  test: EvaluationMetrics;
  /** The scaled test log-probabilities (for the paired bootstrap against other arms). */
  testLogProbs: Float64Array;
}

/**
 * Fits the arm's temperature on its validation log-probabilities and applies it to its test ones. Null
 * when there is no validation set, or when the arm's validation predictions are not finite (a model at
 * the edge of divergence has no temperature worth reporting).
 */
export function temperatureScaleArm(
  validationLogProbs: Float32Array | undefined,
  validation: LabelledSplit | undefined,
  testLogProbs: ArrayLike<number>,
  test: LabelledSplit,
  numClasses: number,
): TemperatureScaledArm | null {
  if (!validation || !validationLogProbs || validation.count === 0) return null;
  if (!validationLogProbs.every(Number.isFinite)) return null;
  const fit = fitTemperature(validationLogProbs, validation.y, numClasses);
  const scaled = scaleLogProbs(testLogProbs, numClasses, fit.temperature);
  return {
    temperature: fit.temperature,
    validationNll: fit.nll,
    validationNllUnscaled: fit.unscaledNll,
    validationSamples: validation.count,
    atBound: fit.atBound,
    test: evaluatePredictions(scaled, test.y, numClasses),
    testLogProbs: scaled,
  };
}
