import { mcnemarExact } from '../stats/mcnemar';
import { PAIRED_METRICS, pairedBootstrapIntervals, sampleScores, TEST_BOOTSTRAP_LEVEL, TEST_BOOTSTRAP_RESAMPLES, type MetricIntervals, type PairedMetric } from '../stats/pairedBootstrap';
import type { EvaluationMetrics } from '../metrics/evaluate';
import type { ArmResult, PairedResult } from './pairedTrainer';

export type { MetricIntervals, PairedMetric };

/** A difference (arm − baseline) of every paired metric, with its 95% paired-bootstrap interval over the test samples. */
export interface PairedDelta {
  delta: Record<PairedMetric, number>;
  intervals: MetricIntervals;
}

/** A smoothed arm against the hard arm, on one seed: differences (smoothed − hard), their intervals, McNemar's exact test. */
export interface ArmComparison {
  arm: string;
  /** The compared arm's ε, so that a reader needs no arm-label convention to know it (summary.json before this field: see arms[]). */
  epsilon: number;
  baseline: string;
  deltaAccuracy: number;
  deltaNll: number;
  deltaEce: number;
  deltaMeanConfidence: number;
  deltaBrier: number;
  mcnemar: { onlyBaselineCorrect: number; onlyArmCorrect: number; pValue: number };
  /** 95% percentile intervals of each Δ from a paired bootstrap over the test samples (same resampled indices for both arms). */
  intervals: MetricIntervals;
  bootstrap: { resamples: number; level: number; seed: number };
  /**
   * Against the hard arm after temperature scaling: the smoothed arm as it is (does smoothing beat simply
   * scaling the hard model?) and after its own temperature scaling. Null without a validation set.
   */
  temperatureScaled: { armVsScaledBaseline: PairedDelta; scaledArmVsScaledBaseline: PairedDelta } | null;
}

function deltaOf(arm: Pick<EvaluationMetrics, PairedMetric>, baseline: Pick<EvaluationMetrics, PairedMetric>): Record<PairedMetric, number> {
  return Object.fromEntries(PAIRED_METRICS.map((m) => [m, arm[m] - baseline[m]])) as Record<PairedMetric, number>;
}

/**
 * Every smoothed arm against the hard arm (the first), on the same test samples. The bootstrap is seeded
 * with the run's seed: the same predictions always give the same intervals.
 */
export function compareArms(result: PairedResult, testLabels: ArrayLike<number>, numClasses: number, seed: number): ArmComparison[] {
  const [hard, ...smoothed] = result.arms;
  const options = { resamples: TEST_BOOTSTRAP_RESAMPLES, level: TEST_BOOTSTRAP_LEVEL, seed };
  const scores = (logProbs: ArrayLike<number>) => sampleScores(logProbs, testLabels, numClasses);
  const hardScores = scores(hard!.testLogProbs);
  const hardScaled = hard!.temperatureScaled;
  const hardScaledScores = hardScaled ? scores(hardScaled.testLogProbs) : null;
  return smoothed.map((arm: ArmResult) => {
    const m = mcnemarExact(hard!.testPredictions, arm.testPredictions, testLabels);
    const armScores = scores(arm.testLogProbs);
    let temperatureScaled: ArmComparison['temperatureScaled'] = null;
    if (hardScaled && hardScaledScores && arm.temperatureScaled) {
      temperatureScaled = {
        armVsScaledBaseline: { delta: deltaOf(arm.test, hardScaled.test), intervals: pairedBootstrapIntervals(hardScaledScores, armScores, options) },
        scaledArmVsScaledBaseline: {
          delta: deltaOf(arm.temperatureScaled.test, hardScaled.test),
          intervals: pairedBootstrapIntervals(hardScaledScores, scores(arm.temperatureScaled.testLogProbs), options),
        },
      };
    }
    return {
      arm: arm.label,
      epsilon: arm.epsilon,
      baseline: hard!.label,
      deltaAccuracy: arm.test.accuracy - hard!.test.accuracy,
      deltaNll: arm.test.nll - hard!.test.nll,
      deltaEce: arm.test.ece - hard!.test.ece,
      deltaMeanConfidence: arm.test.meanConfidence - hard!.test.meanConfidence,
      deltaBrier: arm.test.brier - hard!.test.brier,
      mcnemar: { onlyBaselineCorrect: m.onlyFirstCorrect, onlyArmCorrect: m.onlySecondCorrect, pValue: m.pValue },
      intervals: pairedBootstrapIntervals(hardScores, armScores, options),
      bootstrap: options,
      temperatureScaled,
    };
  });
}
