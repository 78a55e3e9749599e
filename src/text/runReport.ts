import type { EnvironmentInfo, HistogramsFile, RunSummary } from '../store/runFiles';
import { armHeading, epsilonLabel, seconds, VERDICT_KEY, verdictDeltas } from './format';
import { wrapParagraph } from './layout';
import { confusionTabular, epochTabular, finalMetricsTabular, imbalanceTabular, perClassTabular } from './runTables';
import { renderTabular } from './tabular';

/**
 * The terminal view of a run, built from the stored summary alone: `train` prints it at the end and
 * `show` prints it again from the run directory. Every table and paragraph fits `width` columns.
 */

export interface RunLayout {
  /** Columns the output may take (undefined: no limit, as in a pipe). */
  width?: number;
  /** --verbose: the backend's fallback reason at full length. */
  verbose?: boolean;
  /** Seconds the whole command took (train prints it; a stored run does not have it). */
  commandSeconds?: number;
}

type HeaderEnvironment = Pick<EnvironmentInfo, 'backendLabel' | 'backendFallbackReason'> & Partial<Pick<EnvironmentInfo, 'backendFallbackNote'>>;

/** Why auto did not pick its first choice: a few words, or in full with --verbose. */
function fallbackLine(environment: HeaderEnvironment | undefined, verbose: boolean): string | undefined {
  const reason = environment?.backendFallbackReason;
  if (!reason) return undefined;
  if (verbose) return `fell back: ${reason}`;
  return `auto: ${environment.backendFallbackNote ?? 'fell back from its first choice'} (--verbose says more)`;
}

export function renderHeader(summary: RunSummary, environment?: HeaderEnvironment, layout: RunLayout = {}): string {
  const { dataset, config } = summary;
  const split = `${dataset.trainSamples} train / ${dataset.testSamples} test`;
  const smoothed = summary.arms.filter((a) => a.label !== 'hard');
  const lines = [
    `data set   ${dataset.name}: ${dataset.trainSamples + dataset.testSamples} samples (${split}), ${dataset.features} features, ${dataset.classes} classes`,
    `           ${dataset.description}`,
    `model      ${summary.model}`,
    `optimizer  ${summary.optimizer}, batch ${config.batchSize}, ${config.epochs} epochs`,
    `seed       ${config.seed}`,
    `smoothing  ${config.smoothing}, ${smoothed.map((a) => epsilonLabel(a.epsilon)).join(', ')} (arms: ${summary.arms.map((a) => a.label).join(', ')})`,
    `backend    ${summary.backend}${environment ? ` — ${environment.backendLabel}` : ''}`,
  ];
  const fallback = fallbackLine(environment, layout.verbose === true);
  if (fallback) lines.push(`           ${fallback}`);
  if (summary.labelNoise) {
    const n = summary.labelNoise;
    lines.push(`noise      ${n.flipped} of ${dataset.trainSamples} training labels flipped (${n.kind}, ${n.fraction}; listed in ${n.file}); test labels clean`);
  }
  if (summary.imbalance) {
    lines.push(`imbalance  training set subsampled to ratio ${summary.imbalance.ratio}: ${(dataset.trainClassCounts ?? []).join('/')} samples per class`);
  }
  for (const warning of summary.warnings ?? []) lines.push(`warning    ${warning}`);
  return lines.map((l) => wrapParagraph(l, layout.width, ' '.repeat(11))).join('\n');
}

/** A titled table, both fitted to the width. */
function titled(title: string, table: string, layout: RunLayout): string {
  return `${wrapParagraph(title, layout.width)}\n${table}`;
}

export function renderEpochTable(summary: RunSummary, layout: RunLayout = {}): string {
  return titled(
    "Per epoch (train loss is each arm's own objective; NLL is unsmoothed cross-entropy, comparable across arms)",
    renderTabular(epochTabular(summary), 'table', layout),
    layout,
  );
}

export function renderFinalMetrics(summary: RunSummary, layout: RunLayout = {}): string {
  const note = summary.labelNoise
    ? ' (on the clean test labels; "memorised": share of the flipped training samples predicted as their noisy label)'
    : '';
  return titled(`Final test metrics${note}`, renderTabular(finalMetricsTabular(summary), 'table', layout), layout);
}

/** With --imbalance, shown first: plain accuracy hides what happens to the rare classes. */
export function renderImbalanceFirst(summary: RunSummary, layout: RunLayout = {}): string {
  return titled(
    `Imbalanced training set (ratio ${summary.imbalance?.ratio}): per-class test recall and macro F1`,
    renderTabular(imbalanceTabular(summary), 'table', layout),
    layout,
  );
}

export function renderPerClass(summary: RunSummary, layout: RunLayout = {}): string {
  return titled(
    'Per class (— where a score is 0/0: a class never predicted, or with no test samples)',
    renderTabular({ ...perClassTabular(summary), keyColumns: 1 }, 'table', layout),
    layout,
  );
}

export function renderConfusionMatrices(summary: RunSummary, layout: RunLayout = {}): string {
  const indexColumns = summary.dataset.classNames.length > 6;
  return summary.arms
    .map((arm) =>
      titled(
        `Confusion matrix, ${armHeading(arm)} (rows: true class, columns: predicted)`,
        renderTabular(confusionTabular(summary, arm, { indexColumns }), 'table', layout),
        layout,
      ),
    )
    .join('\n');
}

const BAR_WIDTH = 40;
const BAR_CHARS = ['█', '▓', '▒', '░'];

/** Confidence of the predicted class, 10 bins over [0, 1], one bar per arm; the bars shrink to fit the width. */
export function renderConfidenceHistogram(histograms: HistogramsFile, layout: RunLayout = {}): string {
  const labelWidth = Math.max(...histograms.arms.map((a) => a.label.length));
  // range (7) + 2 + label + 1 + bar + 1 + count (up to 7)
  const barWidth = layout.width === undefined ? BAR_WIDTH : Math.max(8, Math.min(BAR_WIDTH, layout.width - 18 - labelWidth));
  const max = Math.max(1, ...histograms.arms.flatMap((a) => a.confidenceHistogram));
  const edges = histograms.confidenceBins;
  const lines: string[] = [];
  const legend = histograms.arms.map((a, i) => `${BAR_CHARS[i % BAR_CHARS.length]} ${a.label}`).join('   ');
  lines.push(wrapParagraph(`Confidence of the predicted class (test set): ${legend}`, layout.width, '  '));
  for (let b = 0; b < edges.length - 1; b++) {
    const range = `${edges[b]!.toFixed(1)}–${edges[b + 1]!.toFixed(1)}`;
    histograms.arms.forEach((arm, i) => {
      const n = arm.confidenceHistogram[b]!;
      const bar = BAR_CHARS[i % BAR_CHARS.length]!.repeat(Math.round((n / max) * barWidth));
      lines.push(`${i === 0 ? range : ' '.repeat(range.length)}  ${arm.label.padEnd(labelWidth)} ${bar} ${n}`);
    });
  }
  return lines.join('\n');
}

export function renderVerdict(summary: RunSummary, layout: RunLayout = {}): string {
  const hard = summary.arms[0]!;
  return summary.comparisons
    .map((c) => {
      const arm = summary.arms.find((a) => a.label === c.arm)!;
      const broken = [hard, arm].filter((a) => a.diverged);
      if (broken.length > 0) {
        // Deltas against a model that stopped early compare different amounts of training: say so instead.
        const from = (epoch: number) => (epoch === 0 ? 'its initial weights' : `the end of epoch ${epoch}`);
        return `Verdict (${arm.label} − hard): not comparable — ${broken.map((a) => `${a.diverged!.message}; its metrics are from ${from(a.diverged!.epoch - 1)}`).join('; ')}.`;
      }
      const { onlyBaselineCorrect: b, onlyArmCorrect: s, pValue } = c.mcnemar;
      const detectable = pValue < 0.05 ? 'a detectable difference in accuracy' : 'no detectable difference in accuracy';
      return (
        `Verdict (${arm.label}, ${epsilonLabel(arm.epsilon)}, ${arm.smoothing} − hard; one seed, ${summary.config.seed}): ` +
        `${verdictDeltas(c)}.\n` +
        `  McNemar exact test on the ${summary.dataset.testSamples} test samples: ${b} right only in hard, ${s} right only in ${arm.label}, p = ${pValue.toPrecision(3)} → ${detectable} on this seed. ` +
        `One seed is an anecdote: \`ls-bench sweep\` gives intervals over seeds.`
      );
    })
    .concat(summary.comparisons.length > 0 ? [`(Δ: the arm − hard; ${VERDICT_KEY}.)`] : [])
    .map((text) => wrapParagraph(text, layout.width, '  '))
    .join('\n');
}

export function renderRun(summary: RunSummary, histograms: HistogramsFile, environment?: EnvironmentInfo, layout: RunLayout = {}): string {
  return [
    renderHeader(summary, environment, layout),
    ...(summary.imbalance ? [renderImbalanceFirst(summary, layout)] : []),
    renderEpochTable(summary, layout),
    renderFinalMetrics(summary, layout),
    renderPerClass(summary, layout),
    renderConfusionMatrices(summary, layout),
    renderConfidenceHistogram(histograms, layout),
    renderVerdict(summary, layout),
    ...renderRunNotes(summary).map((note) => wrapParagraph(note, layout.width, '  ')),
    wrapParagraph(timeLine(summary, layout), layout.width, '  '),
  ].join('\n\n');
}

/** What the run's time measures: training with its per-epoch evaluation; and, when train prints it, the whole command. */
export function timeLine(summary: RunSummary, layout: Pick<RunLayout, 'commandSeconds'> = {}): string {
  const whole = layout.commandSeconds === undefined ? '' : `; the whole command ${seconds(layout.commandSeconds)} (start-up, data, training, final metrics, writing the run)`;
  return `time: training ${seconds(summary.seconds)} (${summary.arms.length} arms, with the per-epoch test evaluation)${whole}`;
}

function renderRunNotes(summary: RunSummary): string[] {
  const notes: string[] = [];
  for (const arm of summary.arms) if (arm.diverged) notes.push(`warning: ${arm.diverged.message}`);
  if (summary.resumedAfterEpoch !== null && summary.resumedAfterEpoch !== undefined) notes.push(`resumed after epoch ${summary.resumedAfterEpoch}`);
  if (summary.determinism) {
    notes.push(`determinism check: ${summary.determinism.identical ? 'a second training gave identical results, bit for bit' : `NOT deterministic: ${summary.determinism.firstDifference}`}`);
  }
  return notes;
}
