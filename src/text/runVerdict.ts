import type { ArmSummary, RunSummary, StoredArmComparison } from '../store/runFiles';
import { epsilonLabel, fixed, signed, signedPoints, VERDICT_KEY } from './format';
import { wrapParagraph } from './layout';
import { calibrationWords } from './runTables';

/**
 * The verdict of a run in words, built once and rendered by the terminal, markdown and the HTML report:
 * each smoothed arm against the hard arm, each Δ with its paired-bootstrap interval over the test samples,
 * "detectable" only where that interval excludes 0 (McNemar's exact test for accuracy), in which direction
 * each model is mis-calibrated, and the question every calibration claim has to answer: does smoothing beat
 * simply temperature-scaling the hard model?
 */
export interface VerdictBlock {
  title: string;
  lines: string[];
}

type Interval = [number, number];
type Metric = 'accuracy' | 'nll' | 'ece' | 'brier' | 'meanConfidence';

const excludesZero = (i: Interval) => i[0] > 0 || i[1] < 0;

function showDelta(metric: Metric, value: number): string {
  return metric === 'accuracy' ? signedPoints(value) : signed(value);
}

function showInterval(metric: Metric, i: Interval | undefined): string {
  return i ? ` [${showDelta(metric, i[0])}, ${showDelta(metric, i[1])}]` : '';
}

/** "detectable: smoothed is worse" / "no detectable difference", from the interval and the metric's better direction. */
function reading(metric: Metric, delta: number, interval: Interval | undefined, armLabel: string): string {
  if (!interval) return '';
  if (!excludesZero(interval)) return ' → no detectable difference';
  if (metric === 'meanConfidence') return ` → detectable: ${armLabel} is ${delta > 0 ? 'more' : 'less'} confident`;
  const better = metric === 'accuracy' ? delta > 0 : delta < 0;
  return ` → detectable: ${armLabel} is ${better ? 'better' : 'worse'}`;
}

function notComparable(hard: ArmSummary, arm: ArmSummary): VerdictBlock | null {
  const broken = [hard, arm].filter((a) => a.diverged);
  if (broken.length === 0) return null;
  // Deltas against a model that stopped early compare different amounts of training: say so instead.
  const from = (epoch: number) => (epoch === 0 ? 'its initial weights' : `the end of epoch ${epoch}`);
  return {
    title: `Verdict (${arm.label} − hard): not comparable — ${broken.map((a) => a.label).join(' and ')} diverged`,
    lines: broken.map((a) => `${a.diverged!.message}; its metrics are from ${from(a.diverged!.epoch - 1)}.`),
  };
}

function deltaLines(summary: RunSummary, c: StoredArmComparison, arm: ArmSummary): string[] {
  const i = c.intervals;
  const { onlyBaselineCorrect: b, onlyArmCorrect: s, pValue } = c.mcnemar;
  const mcnemar = pValue < 0.05 ? 'detectable' : 'no detectable difference';
  const lines = [
    `Δaccuracy ${signedPoints(c.deltaAccuracy)}${showInterval('accuracy', i?.accuracy)}; McNemar's exact test on the ${summary.dataset.testSamples} test samples: ${b} right only in hard, ${s} right only in ${arm.label}, p = ${pValue.toPrecision(3)} → ${mcnemar}`,
    `ΔNLL ${signed(c.deltaNll)}${showInterval('nll', i?.nll)}${reading('nll', c.deltaNll, i?.nll, arm.label)}`,
    `ΔECE ${signed(c.deltaEce)}${showInterval('ece', i?.ece)}${reading('ece', c.deltaEce, i?.ece, arm.label)}`,
  ];
  if (c.deltaBrier !== undefined) lines.push(`ΔBrier ${signed(c.deltaBrier)}${showInterval('brier', i?.brier)}${reading('brier', c.deltaBrier, i?.brier, arm.label)}`);
  lines.push(`Δmean confidence ${signed(c.deltaMeanConfidence)}${showInterval('meanConfidence', i?.meanConfidence)}${reading('meanConfidence', c.deltaMeanConfidence, i?.meanConfidence, arm.label)}`);
  return lines;
}

function gapOf(a: ArmSummary): number {
  return a.test.calibrationGap ?? a.test.meanConfidence - a.test.accuracy;
}

/** Smoothing against temperature scaling: the smoothed arm as it is, then after its own scaling, against the scaled hard arm. */
function temperatureLines(c: StoredArmComparison, hard: ArmSummary, arm: ArmSummary): string[] {
  const hardTs = hard.temperatureScaled;
  const armTs = arm.temperatureScaled;
  const ts = c.temperatureScaled;
  if (!hardTs || !armTs || !ts) return [];
  const vs = ts.armVsScaledBaseline;
  const eceInterval = vs.intervals.ece;
  const eces = `ECE: hard + TS ${fixed(hardTs.test.ece, 3)}, ${arm.label} ${fixed(arm.test.ece, 3)}; Δ ${signed(vs.delta.ece)}${showInterval('ece', eceInterval)}`;
  let sentence: string;
  if (!excludesZero(eceInterval)) sentence = `the smoothed model is not detectably better or worse calibrated than the temperature-scaled hard model (${eces})`;
  else if (vs.delta.ece > 0) sentence = `after temperature scaling the hard model is better calibrated than the smoothed one (${eces})`;
  else sentence = `the smoothed model is better calibrated than the hard model even after temperature scaling (${eces})`;
  const nll = `NLL: hard + TS ${fixed(hardTs.test.nll, 3)}, ${arm.label} ${fixed(arm.test.nll, 3)}; Δ ${signed(vs.delta.nll)}${showInterval('nll', vs.intervals.nll)}${reading('nll', vs.delta.nll, vs.intervals.nll, arm.label)}`;
  const both = ts.scaledArmVsScaledBaseline;
  return [
    `Temperature scaling (T fitted on ${hardTs.validationSamples} validation samples: hard ${hardTs.temperature.toFixed(3)}, ${arm.label} ${armTs.temperature.toFixed(3)}): ${sentence}. ${nll}.`,
    `Both temperature-scaled (${arm.label} + TS − hard + TS): ECE ${fixed(armTs.test.ece, 3)} vs ${fixed(hardTs.test.ece, 3)}, Δ ${signed(both.delta.ece)}${showInterval('ece', both.intervals.ece)}${reading('ece', both.delta.ece, both.intervals.ece, `${arm.label} + TS`)}; ` +
      `NLL ${fixed(armTs.test.nll, 3)} vs ${fixed(hardTs.test.nll, 3)}, Δ ${signed(both.delta.nll)}${showInterval('nll', both.intervals.nll)}${reading('nll', both.delta.nll, both.intervals.nll, `${arm.label} + TS`)}.`,
  ];
}

export function runVerdicts(summary: RunSummary): VerdictBlock[] {
  const hard = summary.arms[0]!;
  return summary.comparisons.map((c) => {
    const arm = summary.arms.find((a) => a.label === c.arm)!;
    const broken = notComparable(hard, arm);
    if (broken) return broken;
    const intervalNote = c.intervals
      ? `Intervals [..]: ${Math.round((c.bootstrap?.level ?? 0.95) * 100)}% paired bootstrap over the ${summary.dataset.testSamples} test samples (${c.bootstrap?.resamples ?? ''} resamples); "detectable" only where one excludes 0. They cover the finite test set, not the training's randomness: `
      : '';
    return {
      title: `Verdict (${arm.label}, ${epsilonLabel(arm.epsilon)}, ${arm.smoothing} − hard; one seed, ${summary.config.seed}):`,
      lines: [
        ...deltaLines(summary, c, arm),
        `Calibration: hard ${calibrationWords(gapOf(hard))}, ${arm.label} ${calibrationWords(gapOf(arm))} (mean confidence − accuracy).`,
        ...temperatureLines(c, hard, arm),
        `${intervalNote}one seed is one seed; \`ls-bench sweep\` gives intervals over seeds.`,
      ],
    };
  });
}

/** Whether any smoothed arm has deltas to read (neither it nor the hard arm diverged). */
export function hasComparableArm(summary: RunSummary): boolean {
  const hard = summary.arms[0]!;
  return !hard.diverged && summary.comparisons.some((c) => !summary.arms.find((a) => a.label === c.arm)?.diverged);
}

/** Which way is better, said once after the verdicts of all arms (the readings above say only "better"/"worse"). */
export function verdictKey(): string {
  return `(Δ: the arm − hard; ${VERDICT_KEY}.)`;
}

/** The verdicts for the terminal, each line wrapped to `width` (continuation lines indented under it). */
export function renderVerdict(summary: RunSummary, layout: { width?: number } = {}): string {
  const blocks = runVerdicts(summary).map((v) => [wrapParagraph(v.title, layout.width, '  '), ...v.lines.map((l) => wrapParagraph(`  ${l}`, layout.width, '    '))].join('\n'));
  if (hasComparableArm(summary)) blocks.push(wrapParagraph(verdictKey(), layout.width, '  '));
  return blocks.join('\n');
}
