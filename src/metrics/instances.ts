import { argmaxRows } from './classification';

/**
 * Test samples picked by what happened to them between two arms: the per-sample layer under the run's
 * aggregates. Pure functions of the stored log-probabilities ([samples × classes] per arm) and labels.
 *
 * - drop: the largest fall of the true class's probability from the baseline (hard) arm to the compared arm;
 * - rise: the largest rise;
 * - discordant: right in exactly one of the two arms (the samples behind McNemar's counts), the largest
 *   change of the true class's probability first;
 * - confident-wrong: each arm's mistakes, the most confident first.
 */
export const INSTANCE_VIEWS = ['drop', 'rise', 'discordant', 'confident-wrong'] as const;
export type InstanceView = (typeof INSTANCE_VIEWS)[number];

/** What one arm said about one sample. */
export interface ArmOpinion {
  predicted: number;
  /** The probability of the predicted class. */
  confidence: number;
  /** The probability of the true class. */
  trueProbability: number;
}

export interface InstanceRow {
  /** Index into the run's test set. */
  index: number;
  label: number;
  /** Every arm's opinion, in the arms' order. */
  arms: ArmOpinion[];
  /** The compared arm's true-class probability minus the baseline's (negative: it fell). */
  change: number;
}

/** A view's rows, and how many samples qualified before --limit. */
export interface InstanceSelection {
  view: InstanceView;
  /** For confident-wrong: one group per arm (that arm's mistakes); else one group. */
  groups: { arm: number | null; rows: InstanceRow[]; qualifying: number }[];
  /** discordant: McNemar's counts over the samples considered (after the class filter). */
  discordant?: { onlyBaselineRight: number; onlyComparedRight: number };
  /** The samples considered: all, or those of the class asked for. */
  considered: number;
}

export interface InstanceOptions {
  view: InstanceView;
  limit: number;
  /** Only samples of this true class. */
  classIndex?: number;
  /** The arm compared with the baseline (arm 0) for drop, rise and discordant. */
  compared: number;
}

export interface ArmLogProbs {
  logProbs: ArrayLike<number>;
}

/** Every arm's opinion of every sample: predicted class (argmax, as the metrics take it), its probability, the true class's. */
export function armOpinions(arms: ArmLogProbs[], labels: ArrayLike<number>, numClasses: number): ArmOpinion[][] {
  return arms.map((arm) => {
    const predicted = argmaxRows(arm.logProbs, numClasses);
    return Array.from({ length: labels.length }, (_, i) => ({
      predicted: predicted[i]!,
      confidence: Math.min(1, Math.exp(arm.logProbs[i * numClasses + predicted[i]!]!)),
      trueProbability: Math.min(1, Math.exp(arm.logProbs[i * numClasses + labels[i]!]!)),
    }));
  });
}

/** The largest keys first; equal keys in test order, so a selection never depends on the sort's stability. */
function topBy(indices: number[], key: (i: number) => number, limit: number): number[] {
  return indices.sort((a, b) => key(b) - key(a) || a - b).slice(0, limit);
}

/** The samples a view lists, at most `limit` per group. */
export function selectInstances(arms: ArmLogProbs[], labels: ArrayLike<number>, numClasses: number, options: InstanceOptions): InstanceSelection {
  const { view, limit, classIndex, compared } = options;
  if (compared < 1 || compared >= arms.length) throw new RangeError(`selectInstances: arm ${compared} is not a compared arm of ${arms.length}`);
  const opinions = armOpinions(arms, labels, numClasses);
  const row = (i: number): InstanceRow => ({
    index: i,
    label: labels[i]!,
    arms: opinions.map((o) => o[i]!),
    change: opinions[compared]![i]!.trueProbability - opinions[0]![i]!.trueProbability,
  });
  const considered = Array.from({ length: labels.length }, (_, i) => i).filter((i) => classIndex === undefined || labels[i] === classIndex);
  const change = (i: number) => opinions[compared]![i]!.trueProbability - opinions[0]![i]!.trueProbability;
  const right = (a: number, i: number) => opinions[a]![i]!.predicted === labels[i];
  const group = (arm: number | null, qualifying: number[], key: (i: number) => number) => ({ arm, rows: topBy(qualifying, key, limit).map(row), qualifying: qualifying.length });
  switch (view) {
    case 'drop':
      return { view, considered: considered.length, groups: [group(null, considered.filter((i) => change(i) < 0), (i) => -change(i))] };
    case 'rise':
      return { view, considered: considered.length, groups: [group(null, considered.filter((i) => change(i) > 0), change)] };
    case 'discordant': {
      const discordant = considered.filter((i) => right(0, i) !== right(compared, i));
      const onlyBaselineRight = discordant.filter((i) => right(0, i)).length;
      return {
        view,
        considered: considered.length,
        groups: [group(null, discordant, (i) => Math.abs(change(i)))],
        discordant: { onlyBaselineRight, onlyComparedRight: discordant.length - onlyBaselineRight },
      };
    }
    case 'confident-wrong':
      return {
        view,
        considered: considered.length,
        groups: arms.map((_, a) => group(a, considered.filter((i) => !right(a, i)), (i) => opinions[a]![i]!.confidence)),
      };
  }
}
