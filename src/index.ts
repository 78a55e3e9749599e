/**
 * ls-bench as a library: the label-smoothing math, the metrics and the paired trainer behind the CLI.
 */
export { labelSmoothingCrossEntropy, smoothTargets, smoothedTargetValues, logSoftmax, SMOOTHING_VARIANTS } from './smoothing/labelSmoothing';
export type { SmoothingOptions, SmoothingVariant } from './smoothing/labelSmoothing';
export {
  expectedCalibrationError,
  reliabilityBins,
  confidenceHistogram,
  brierScore,
  adaptiveCalibrationError,
  classwiseCalibrationError,
  mceFromBins,
} from './metrics/calibration';
export { fitTemperature, scaleLogProbs } from './metrics/temperature';
export { pairedBootstrapIntervals, sampleScores } from './stats/pairedBootstrap';
export { confusionMatrix, perClassScores, macroAverage, accuracy } from './metrics/classification';
export { evaluatePredictions } from './metrics/evaluate';
export { mcnemarExact, mcnemarExactPValue } from './stats/mcnemar';
export { TrainConfigSchema } from './config/schema';
export type { TrainConfig } from './config/schema';
export { selectBackend } from './engine/backend';
export type { Engine } from './engine/backend';
export { trainPaired } from './train/pairedTrainer';
export { readProbabilitiesFile } from './store/probabilitiesFile';
export type { StoredProbabilities, StoredArmProbabilities } from './store/probabilitiesFile';
export { run } from './cli/main';
