import { armHeading, epsilonLabel, fixed, percent, seconds, signed, signedPoints } from '../text/format';
import { chartFigure, chartRow, escapeHtml, factList, htmlTable, reportPage, type RenderedChart, type ReportSection } from './html';
import type { RunReportInput } from './loadRunForReport';
import { armColours } from './palette';
import { hasManyClasses, topConfusionsTabular, topConfusionsTitle, worstClassesTabular, worstClassesTitle } from '../text/classTables';
import type { Tabular } from '../text/tabular';
import { armSlug } from './runCharts';

type RunSummary = RunReportInput['summary'];

/** The facts at the top of the page: what was run, on what, how. */
function runFacts(input: RunReportInput): [string, string][] {
  const { summary, meta, status, environment } = input;
  const { dataset, config } = summary;
  const facts: [string, string][] = [
    ['run', `${meta.id}${meta.name ? ` (${meta.name})` : ''}${meta.tags.length ? `, tags: ${meta.tags.join(', ')}` : ''}`],
    ['status', status ? `${status.status}, ${status.completedEpochs} epochs, ended ${status.endedAt ?? '—'}` : 'completed'],
    ['data set', `${dataset.name}: ${dataset.trainSamples} train / ${dataset.testSamples} test, ${dataset.features} features, ${dataset.classes} classes — ${dataset.description}`],
    ['model', summary.model],
    ['optimizer', `${summary.optimizer}, batch ${config.batchSize}, ${config.epochs} epochs`],
    ['seed', String(config.seed)],
    ['smoothing', `${config.smoothing}; arms: ${summary.arms.map(armHeading).join(', ')}`],
    ['backend', `${summary.backend}${environment ? ` — ${environment.backendLabel}` : ''}`],
    ['wall time', seconds(summary.seconds)],
  ];
  if (environment) facts.push(['environment', `ls-bench ${environment.lsBenchVersion}, Node ${environment.node}, ${environment.platform}/${environment.arch}, ${environment.cpuCount} × ${environment.cpu}${environment.gitCommit ? `, commit ${environment.gitCommit.slice(0, 12)}` : ''}`]);
  facts.push(['command', `ls-bench ${meta.command.join(' ')}`]);
  return facts;
}

/** Each smoothed arm against the hard arm, in words, with McNemar's test on this one seed. */
function verdicts(summary: RunSummary): string[] {
  const { dataset, config } = summary;
  return summary.comparisons.map((c) => {
    const arm = summary.arms.find((a) => a.label === c.arm)!;
    const { onlyBaselineCorrect: b, onlyArmCorrect: s, pValue } = c.mcnemar;
    const detectable = pValue < 0.05 ? 'a detectable difference in accuracy' : 'no detectable difference in accuracy';
    return `<div class="verdict">
<p><strong>${escapeHtml(armHeading(arm))}, ${escapeHtml(arm.smoothing)} − hard</strong> (one seed, ${escapeHtml(config.seed)}): Δaccuracy ${escapeHtml(signedPoints(c.deltaAccuracy))}, ΔNLL ${escapeHtml(signed(c.deltaNll))}, ΔECE ${escapeHtml(signed(c.deltaEce))}, Δmean confidence ${escapeHtml(signed(c.deltaMeanConfidence))}.</p>
<p>McNemar's exact test on the ${escapeHtml(dataset.testSamples)} test samples: ${escapeHtml(b)} right only in hard, ${escapeHtml(s)} right only in ${escapeHtml(arm.label)}, p = ${escapeHtml(pValue.toPrecision(3))} → ${detectable} on this seed. One seed is an anecdote: a sweep over seeds gives intervals.</p>
</div>`;
  });
}

/** The verdicts, the arms' colour key and the final test metrics. */
function verdictSection(summary: RunSummary): ReportSection {
  const colours = armColours(summary.arms.length);
  const swatchName = (i: number): string => `<span class="swatch" style="background:${colours[i]}"></span>${escapeHtml(armHeading(summary.arms[i]!))}`;
  const metricRow = (name: string, f: (a: RunSummary['arms'][number]) => string) => [name, ...summary.arms.map((a) => ({ text: f(a), numeric: true }))];
  const finalTable = htmlTable({
    caption: 'Final test metrics (ECE over 15 equal-width bins; mean confidence of the predicted class)',
    head: [['test set', ...summary.arms.map((a) => ({ text: armHeading(a), numeric: true }))]],
    rows: [
      metricRow('accuracy', (a) => percent(a.test.accuracy)),
      metricRow('NLL (nats/sample)', (a) => fixed(a.test.nll)),
      metricRow('ECE', (a) => fixed(a.test.ece)),
      metricRow('mean confidence', (a) => fixed(a.test.meanConfidence)),
      metricRow('macro F1', (a) => fixed(a.test.macro.f1)),
    ],
  });
  const legend = `<p>${summary.arms.map((_, i) => swatchName(i)).join(' &nbsp; ')}</p>`;
  return { id: 'verdict', heading: 'Verdict', html: `${verdicts(summary).join('\n')}\n${legend}\n${finalTable}` };
}

/** A Tabular (text/classTables.ts) as an HTML table: the many-class views are the same tables on every medium. */
function tabularHtml(t: Tabular, caption: string): string {
  const numeric = new Set(t.numeric ?? []);
  return htmlTable({
    caption,
    head: [t.head.map((text, i) => ({ text, numeric: numeric.has(i) }))],
    rows: t.rows.map((r) => r.map((text, i) => (i === 0 ? text : { text, numeric: numeric.has(i) }))),
  });
}

/** The confusion matrices as heat maps; for many classes, each arm's most confused pairs. */
function confusionSection(summary: RunSummary, chart: (id: string) => RenderedChart): ReportSection {
  const html = hasManyClasses(summary)
    ? summary.arms.map((arm) => tabularHtml(topConfusionsTabular(summary, arm), topConfusionsTitle(summary, arm))).join('\n')
    : chartRow(summary.arms.map((a) => chart(`confusion-${armSlug(a.label)}`)));
  return { id: 'confusion', heading: hasManyClasses(summary) ? 'Most confused classes' : 'Confusion matrices', html };
}

function perClassSection(summary: RunSummary): ReportSection {
  if (hasManyClasses(summary)) return { id: 'per-class', heading: 'Per class', html: tabularHtml(worstClassesTabular(summary), worstClassesTitle(summary)) };
  const perClass = htmlTable({
    caption: 'Per class precision, recall and F1 on the test set (— where a score is 0/0: a class never predicted, or with no test samples)',
    className: 'per-class',
    head: [
      ['', ...summary.arms.map((a) => ({ text: armHeading(a), colSpan: 3 })), ''],
      ['class', ...summary.arms.flatMap(() => ['precision', 'recall', 'F1'].map((t) => ({ text: t, numeric: true }))), { text: 'support', numeric: true }],
    ],
    rows: summary.dataset.classNames.map((name, c) => [
      name,
      ...summary.arms.flatMap((a) => {
        const s = a.test.perClass[c]!;
        return [fixed(s.precision, 3), fixed(s.recall, 3), fixed(s.f1, 3)].map((text) => ({ text, numeric: true }));
      }),
      { text: String(summary.arms[0]!.test.perClass[c]!.support), numeric: true },
    ]),
  });
  return { id: 'per-class', heading: 'Per class', html: perClass };
}

/** The HTML report of one run, from its stored files and its rendered charts (runCharts → renderSvg). */
export function runReportHtml(input: RunReportInput, rendered: RenderedChart[], generatedAt = new Date()): string {
  const { summary, meta } = input;
  const chart = (id: string): RenderedChart => {
    const found = rendered.find((r) => r.chart.id === id);
    if (!found) throw new Error(`runReportHtml: chart "${id}" was not rendered`);
    return found;
  };
  const { dataset, config } = summary;
  const sections: ReportSection[] = [
    verdictSection(summary),
    { id: 'curves', heading: 'Training curves', html: chartFigure(chart('curves')) },
    {
      id: 'calibration',
      heading: 'Calibration and confidence',
      html: `${chartRow(summary.arms.map((a) => chart(`reliability-${armSlug(a.label)}`)))}\n${chartRow([chart('confidence')])}`,
    },
    confusionSection(summary, chart),
    perClassSection(summary),
  ];
  const smoothedEpsilons = summary.arms.filter((a) => a.epsilon > 0).map((a) => epsilonLabel(a.epsilon));
  return reportPage({
    title: `ls-bench run ${meta.id}${meta.name ? ` — ${meta.name}` : ''}`,
    subtitle: `${dataset.name}, ${summary.model}: hard labels vs ${config.smoothing} label smoothing ${smoothedEpsilons.join(', ')}, paired (same initial weights, same batches)`,
    headerHtml: factList(runFacts(input)),
    sections,
    footer: `Generated by ls-bench from ${input.dir} (summary.json, histograms.json) at ${generatedAt.toISOString()}. Charts: Vega-Lite, rendered to SVG in Node.`,
  });
}
