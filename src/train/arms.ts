import { CliError } from '../errors';
import { epsilonBound, smoothedTargetValues, type SmoothingVariant } from '../smoothing/labelSmoothing';
import type { TrainConfig } from '../config/schema';
import type { Dataset } from '../data/Dataset';

/** One arm of a paired run: the same model and batches, its own targets. */
export interface ArmSpec {
  /** "hard", "smoothed", or "smoothed-0.05" when several ε are trained at once. */
  label: string;
  epsilon: number;
  smoothing: SmoothingVariant;
}

/** The hard-label arm first, then one smoothed arm per ε. */
export function armsFromConfig(config: Pick<TrainConfig, 'epsilon' | 'smoothing'>): ArmSpec[] {
  const smoothed = config.epsilon.map((epsilon) => ({
    label: config.epsilon.length === 1 ? 'smoothed' : `smoothed-${epsilon}`,
    epsilon,
    smoothing: config.smoothing,
  }));
  return [{ label: 'hard', epsilon: 0, smoothing: config.smoothing }, ...smoothed];
}

/**
 * Refuses an ε that makes a wrong class's target as large as the true class's (possible with `others`):
 * such a model is not trained to predict the true class at all. Checked once the number of classes is known.
 */
export function checkEpsilonFits(config: Pick<TrainConfig, 'epsilon' | 'smoothing'>, numClasses: number, source = 'epsilon'): void {
  const bound = epsilonBound(config.smoothing, numClasses);
  const bad = config.epsilon.find((e) => e >= bound);
  if (bad === undefined) return;
  const { onValue, offValue } = smoothedTargetValues({ epsilon: Math.min(bad, 1), smoothing: config.smoothing }, numClasses);
  throw new CliError(
    `${source} ${bad}: with --smoothing ${config.smoothing} and ${numClasses} classes, expected ε < (K−1)/K = ${bound.toFixed(4).replace(/0+$/, '')}; ` +
      `at ε = ${bad} a wrong class gets target ${offValue.toFixed(3)} against the true class's ${onValue.toFixed(3)}`,
  );
}

/** What the reader must know about a run's setup; printed on stderr at the start and kept in the summary. */
export function setupWarnings(dataset: Dataset, arms: { epsilon: number; smoothing: SmoothingVariant }[]): string[] {
  const warnings: string[] = [];
  const smoothed = arms.filter((a) => a.epsilon > 0);
  if (dataset.numClasses === 2 && smoothed.length > 0) {
    const caps = smoothed.map((a) => `${smoothedTargetValues(a, 2).onValue.toFixed(3)} at ε=${a.epsilon}`).join(', ');
    warnings.push(
      `two classes: a smoothed arm is trained towards a confidence of at most 1 − ε/2 (uniform) or 1 − ε (others) — here ${caps} — ` +
        'so on a well-separated binary task it becomes under-confident by about that much; its ECE measures the cap more than miscalibration',
    );
  }
  return warnings;
}
