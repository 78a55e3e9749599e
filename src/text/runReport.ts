import Table from 'cli-table3';
import type { EnvironmentInfo, HistogramsFile, RunSummary } from '../store/runFiles';
import { armHeading, epsilonLabel, fixed, percent, seconds, signed, signedPoints } from './format';
import { classCountsText, hasManyClasses, rarestClassesTabular, topConfusionsTabular, topConfusionsTitle, WORST_CLASSES, worstClassesTabular, worstClassesTitle } from './classTables';
import { renderTabular } from './tabular';

/**
 * The terminal view of a run, built from the stored summary alone: `train` prints it at the end and
 * `show` prints it again from the run directory.
 */

const tableStyle = { head: [] as string[], border: [] as string[], compact: true };

export function renderHeader(summary: RunSummary, environment?: Pick<EnvironmentInfo, 'backendLabel' | 'backendFallbackReason'>): string {
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
  if (environment?.backendFallbackReason) lines.push(`           fell back: ${environment.backendFallbackReason}`);
  if (summary.labelNoise) {
    const n = summary.labelNoise;
    lines.push(`noise      ${n.flipped} of ${dataset.trainSamples} training labels flipped (${n.kind}, ${n.fraction}; listed in ${n.file}); test labels clean`);
  }
  if (summary.imbalance) {
    lines.push(`imbalance  training set subsampled to ratio ${summary.imbalance.ratio}: ${classCountsText(dataset.trainClassCounts ?? [])} samples per class`);
  }
  for (const warning of summary.warnings ?? []) lines.push(`warning    ${warning}`);
  return lines.join('\n');
}

export function renderEpochTable(summary: RunSummary): string {
  const perArm = ['train loss', 'train NLL', 'test NLL', 'test acc'];
  const table = new Table({ style: tableStyle });
  table.push([{ content: '', hAlign: 'left' }, ...summary.arms.map((a) => ({ content: armHeading(a), colSpan: perArm.length, hAlign: 'center' as const }))]);
  table.push(['epoch', ...summary.arms.flatMap(() => perArm)]);
  const epochs = Math.max(...summary.arms.map((a) => a.history.length));
  for (let e = 0; e < epochs; e++) {
    const row: string[] = [String(e + 1)];
    for (const arm of summary.arms) {
      const r = arm.history[e];
      row.push(r ? fixed(r.trainLoss) : '', r ? fixed(r.trainNll) : '', r ? fixed(r.testNll) : '', r ? percent(r.testAccuracy) : '');
    }
    table.push(row);
  }
  return `Per epoch (train loss is each arm's own objective; NLL is unsmoothed cross-entropy, comparable across arms)\n${table.toString()}`;
}

export function renderFinalMetrics(summary: RunSummary): string {
  const table = new Table({ style: tableStyle, head: ['test set', ...summary.arms.map(armHeading)] });
  const row = (name: string, f: (a: RunSummary['arms'][number]) => string) => table.push([name, ...summary.arms.map(f)]);
  row('accuracy', (a) => percent(a.test.accuracy));
  row('NLL', (a) => fixed(a.test.nll));
  row('ECE (15 bins)', (a) => fixed(a.test.ece));
  row('mean confidence', (a) => fixed(a.test.meanConfidence));
  row('macro F1', (a) => fixed(a.test.macro.f1));
  if (summary.labelNoise) {
    row('flipped train labels memorised', (a) => (a.flippedTrainLabels ? percent(a.flippedTrainLabels.memorised) : '—'));
    row('flipped train → true class', (a) => (a.flippedTrainLabels ? percent(a.flippedTrainLabels.predictedClean) : '—'));
  }
  const note = summary.labelNoise
    ? ' (on the clean test labels; "memorised": share of the flipped training samples predicted as their noisy label)'
    : '';
  return `Final test metrics${note}\n${table.toString()}`;
}

/** With --imbalance, shown first: plain accuracy hides what happens to the rare classes. */
export function renderImbalanceFirst(summary: RunSummary): string {
  if (hasManyClasses(summary)) {
    return `Imbalanced training set (ratio ${summary.imbalance?.ratio}): test recall of the ${WORST_CLASSES} rarest training classes\n${renderTabular(rarestClassesTabular(summary), 'table')}`;
  }
  const counts = summary.dataset.trainClassCounts ?? [];
  const table = new Table({ style: tableStyle, head: ['class', 'train n', ...summary.arms.map((a) => `recall, ${armHeading(a)}`)] });
  summary.dataset.classNames.forEach((name, c) => {
    table.push([name, String(counts[c] ?? ''), ...summary.arms.map((a) => fixed(a.test.perClass[c]!.recall, 3))]);
  });
  table.push(['macro F1', '', ...summary.arms.map((a) => fixed(a.test.macro.f1, 3))]);
  table.push(['accuracy', '', ...summary.arms.map((a) => percent(a.test.accuracy))]);
  return `Imbalanced training set (ratio ${summary.imbalance?.ratio}): per-class test recall and macro F1\n${table.toString()}`;
}

export function renderPerClass(summary: RunSummary): string {
  if (hasManyClasses(summary)) return `${worstClassesTitle(summary)}\n${renderTabular(worstClassesTabular(summary), 'table')}`;
  const names = summary.dataset.classNames;
  const table = new Table({ style: tableStyle });
  table.push([{ content: '' }, ...summary.arms.map((a) => ({ content: armHeading(a), colSpan: 3, hAlign: 'center' as const })), { content: '' }]);
  table.push(['class', ...summary.arms.flatMap(() => ['precision', 'recall', 'F1']), 'support']);
  names.forEach((name, c) => {
    table.push([
      name,
      ...summary.arms.flatMap((a) => {
        const s = a.test.perClass[c]!;
        return [fixed(s.precision, 3), fixed(s.recall, 3), fixed(s.f1, 3)];
      }),
      String(summary.arms[0]!.test.perClass[c]!.support),
    ]);
  });
  return `Per class (— where a score is 0/0: a class never predicted, or with no test samples)\n${table.toString()}`;
}

export function renderConfusionMatrices(summary: RunSummary): string {
  if (hasManyClasses(summary)) return summary.arms.map((arm) => `${topConfusionsTitle(summary, arm)}\n${renderTabular(topConfusionsTabular(summary, arm), 'table')}`).join('\n');
  const names = summary.dataset.classNames;
  const short = names.map((n, i) => (names.length > 6 ? String(i) : n));
  return summary.arms
    .map((arm) => {
      const table = new Table({ style: tableStyle, head: ['true \\ predicted', ...short] });
      arm.test.confusionMatrix!.forEach((row, r) => table.push([names.length > 6 ? `${r} ${names[r]}` : names[r]!, ...row.map(String)]));
      return `Confusion matrix, ${armHeading(arm)} (rows: true class, columns: predicted)\n${table.toString()}`;
    })
    .join('\n');
}

const BAR_WIDTH = 40;
const BAR_CHARS = ['█', '▓', '▒', '░'];

/** Confidence of the predicted class, 10 bins over [0, 1], one bar per arm. */
export function renderConfidenceHistogram(histograms: HistogramsFile): string {
  const max = Math.max(1, ...histograms.arms.flatMap((a) => a.confidenceHistogram));
  const edges = histograms.confidenceBins;
  const lines: string[] = [];
  const legend = histograms.arms.map((a, i) => `${BAR_CHARS[i % BAR_CHARS.length]} ${a.label}`).join('   ');
  lines.push(`Confidence of the predicted class (test set): ${legend}`);
  for (let b = 0; b < edges.length - 1; b++) {
    const range = `${edges[b]!.toFixed(1)}–${edges[b + 1]!.toFixed(1)}`;
    histograms.arms.forEach((arm, i) => {
      const n = arm.confidenceHistogram[b]!;
      const bar = BAR_CHARS[i % BAR_CHARS.length]!.repeat(Math.round((n / max) * BAR_WIDTH));
      lines.push(`${i === 0 ? range : ' '.repeat(range.length)}  ${arm.label.padEnd(12).slice(0, 12)} ${bar} ${n}`);
    });
  }
  return lines.join('\n');
}

export function renderVerdict(summary: RunSummary): string {
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
        `Δaccuracy ${signedPoints(c.deltaAccuracy)}, ΔNLL ${signed(c.deltaNll)}, ΔECE ${signed(c.deltaEce)}, Δmean confidence ${signed(c.deltaMeanConfidence)}.\n` +
        `  McNemar exact test on the ${summary.dataset.testSamples} test samples: ${b} right only in hard, ${s} right only in ${arm.label}, p = ${pValue.toPrecision(3)} → ${detectable} on this seed. ` +
        `One seed is an anecdote: \`ls-bench sweep\` gives intervals over seeds.`
      );
    })
    .join('\n');
}

export function renderRun(summary: RunSummary, histograms: HistogramsFile, environment?: EnvironmentInfo): string {
  return [
    renderHeader(summary, environment),
    ...(summary.imbalance ? [renderImbalanceFirst(summary)] : []),
    renderEpochTable(summary),
    renderFinalMetrics(summary),
    renderPerClass(summary),
    renderConfusionMatrices(summary),
    renderConfidenceHistogram(histograms),
    renderVerdict(summary),
    ...renderRunNotes(summary),
    `wall time ${seconds(summary.seconds)}`,
  ].join('\n\n');
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
