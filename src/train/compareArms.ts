import { mcnemarExact } from '../stats/mcnemar';
import type { PairedResult } from './pairedTrainer';

/** A smoothed arm against the hard arm, on one seed: differences (smoothed − hard) and McNemar's exact test. */
export interface ArmComparison {
  arm: string;
  /** The compared arm's ε, so that a reader needs no arm-label convention to know it (summary.json before this field: see arms[]). */
  epsilon: number;
  baseline: string;
  deltaAccuracy: number;
  deltaNll: number;
  deltaEce: number;
  deltaMeanConfidence: number;
  mcnemar: { onlyBaselineCorrect: number; onlyArmCorrect: number; pValue: number };
}

/** Every smoothed arm against the hard arm (the first), on the same test samples. */
export function compareArms(result: PairedResult, testLabels: ArrayLike<number>): ArmComparison[] {
  const [hard, ...smoothed] = result.arms;
  return smoothed.map((arm) => {
    const m = mcnemarExact(hard!.testPredictions, arm.testPredictions, testLabels);
    return {
      arm: arm.label,
      epsilon: arm.epsilon,
      baseline: hard!.label,
      deltaAccuracy: arm.test.accuracy - hard!.test.accuracy,
      deltaNll: arm.test.nll - hard!.test.nll,
      deltaEce: arm.test.ece - hard!.test.ece,
      deltaMeanConfidence: arm.test.meanConfidence - hard!.test.meanConfidence,
      mcnemar: { onlyBaselineCorrect: m.onlyFirstCorrect, onlyArmCorrect: m.onlySecondCorrect, pValue: m.pValue },
    };
  });
}
