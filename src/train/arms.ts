import type { SmoothingVariant } from '../smoothing/labelSmoothing';
import type { TrainConfig } from '../config/schema';

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
