import type { SmoothingVariant } from '../smoothing/labelSmoothing';
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

/** What the reader must know about a run's setup; printed on stderr at the start and kept in the summary. */
export function setupWarnings(dataset: Dataset, arms: { epsilon: number }[]): string[] {
  const warnings: string[] = [];
  if (dataset.numClasses === 2 && arms.some((a) => a.epsilon > 0)) {
    warnings.push('with two classes, label smoothing only caps the gap between the two logits; calibration effects differ from the many-class case');
  }
  return warnings;
}
