import { armHeading, epsilonLabel, seconds, VERDICT_KEY } from '../text/format';
import {
  finalMetricsCaption,
  finalMetricsTabular,
  hasTemperatureScaling,
  imbalanceCaption,
  imbalanceTabular,
  perClassNote,
  perClassTabular,
  temperatureCaption,
  temperatureTabular,
} from '../text/runTables';
import { hasComparableArm, runVerdicts } from '../text/runVerdict';
import type { Tabular } from '../text/tabular';
import { chartFigure, chartRow, escapeHtml, factList, htmlTable, reportPage, type RenderedChart, type ReportSection } from './html';
import type { RunReportInput } from './loadRunForReport';
import { armColours } from './palette';
import { hasManyClasses, rarestClassesTabular, topConfusionsTabular, topConfusionsTitle, WORST_CLASSES, worstClassesTabular, worstClassesTitle } from '../text/classTables';
import type { Projection } from './projectionChart';
import { armSlug, hasScaledReliability } from './runCharts';

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
    ['training time', `${seconds(summary.seconds)} (training with the per-epoch test evaluation)`],
  ];
  if (environment) facts.push(['environment', `ls-bench ${environment.lsBenchVersion}, Node ${environment.node}, ${environment.platform}/${environment.arch}, ${environment.cpuCount} × ${environment.cpu}${environment.gitCommit ? `, commit ${environment.gitCommit.slice(0, 12)}` : ''}`]);
  facts.push(['command', `ls-bench ${meta.command.join(' ')}`]);
  return facts;
}

/** A table of the terminal views (runTables.ts) as an HTML table: the same rows, so the report says what the terminal says. */
function tabularHtml(t: Tabular, caption: string, className?: string): string {
  const numeric = new Set(t.numeric ?? []);
  return htmlTable({
    caption,
    ...(className ? { className } : {}),
    head: [t.head.map((text, i) => ({ text, numeric: numeric.has(i) }))],
    rows: t.rows.map((r) => r.map((text, i) => (i === 0 ? text : { text, numeric: numeric.has(i) }))),
  });
}

/** The verdicts in words, from the same model as the terminal's (runVerdict.ts), diverged arms included. */
function verdicts(summary: RunSummary): string[] {
  return runVerdicts(summary).map((v) => `<div class="verdict">\n<p><strong>${escapeHtml(v.title)}</strong></p>\n${v.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}\n</div>`);
}

/** The setup warnings (the two-class caveat) and divergences, as the terminal prints them. */
function warnings(summary: RunSummary): string {
  const notes = [...(summary.warnings ?? []), ...summary.arms.filter((a) => a.diverged).map((a) => a.diverged!.message)];
  return notes.map((n) => `<p class="warning"><strong>warning:</strong> ${escapeHtml(n)}</p>`).join('\n');
}

/** The verdicts, the arms' colour key, the final test metrics and, with a validation set, the same after temperature scaling. */
function verdictSection(summary: RunSummary): ReportSection {
  const colours = armColours(summary.arms.length);
  const swatchName = (i: number): string => `<span class="swatch" style="background:${colours[i]}"></span>${escapeHtml(armHeading(summary.arms[i]!))}`;
  const legend = `<p>${summary.arms.map((_, i) => swatchName(i)).join(' &nbsp; ')}</p>`;
  const tables = [tabularHtml(finalMetricsTabular(summary), `${finalMetricsCaption(summary)} (ECE over 15 equal-width bins; NLL in nats/sample)`)];
  if (hasTemperatureScaling(summary)) tables.push(tabularHtml(temperatureTabular(summary), temperatureCaption(summary)));
  const key = hasComparableArm(summary) ? `<p class="key">Δ: the arm − hard; ${escapeHtml(VERDICT_KEY)}.</p>` : '';
  return { id: 'verdict', heading: 'Verdict', html: [warnings(summary), ...verdicts(summary), key, legend, ...tables].filter((h) => h).join('\n') };
}

/** Per-class recall with --imbalance; for many classes, of the rarest training classes only. */
function imbalanceHtml(summary: RunSummary): string {
  if (hasManyClasses(summary)) return tabularHtml(rarestClassesTabular(summary), `Test recall of the ${WORST_CLASSES} rarest training classes`);
  return tabularHtml(imbalanceTabular(summary), imbalanceCaption(summary));
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
    caption: `Per class precision, recall and F1 on the test set (${perClassNote(summary)})`,
    className: 'per-class',
    head: [
      ['', ...summary.arms.map((a) => ({ text: armHeading(a), colSpan: 3 })), ''],
      ['class', ...summary.arms.flatMap(() => ['precision', 'recall', 'F1'].map((t) => ({ text: t, numeric: true }))), { text: 'support', numeric: true }],
    ],
    rows: perClassTabular(summary).rows.map(([name, ...rest]) => [name!, ...rest.map((text) => ({ text, numeric: true }))]),
  });
  return { id: 'per-class', heading: 'Per class', html: perClass };
}

/** Each arm's mean logit gap against the bound its smoothing sets. */
function logitGapTable(projection: Projection): string {
  return htmlTable({
    caption: 'Mean logit gap on the test set (top logit − mean of the others, from probabilities.bin) against the bound log((1 − ε + ε/K)/(ε/K)) a smoothed arm\'s targets set (log((1 − ε)/(ε/(K − 1))) for --smoothing others)',
    head: [['arm', { text: 'mean logit gap', numeric: true }, { text: 'bound', numeric: true }, { text: 'gap / bound', numeric: true }]],
    rows: projection.arms.map((a) => {
      const finite = Number.isFinite(a.bound);
      return [armHeading(a.arm), { text: a.logitGap.toFixed(2), numeric: true }, { text: finite ? a.bound.toFixed(2) : 'none', numeric: true }, { text: finite ? (a.logitGap / a.bound).toFixed(2) : '—', numeric: true }];
    }),
  });
}

/**
 * The per-sample sections: the gallery and the scatter (from probabilities.bin), then the penultimate-layer
 * projection; each only when it was drawn, with the notes that say why one is missing.
 */
function samplesSections(rendered: RenderedChart[], notes: string[], projection: Projection | null): ReportSection[] {
  const find = (id: string) => rendered.find((r) => r.chart.id === id);
  const noteHtml = notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n');
  const gallery = find('gallery');
  const scatter = find('confidence-scatter');
  const samples = [noteHtml, gallery ? chartFigure(gallery) : '', scatter ? chartRow([scatter]) : ''].filter((h) => h);
  const drawn = find('projection');
  const sections: ReportSection[] = [];
  if (samples.length > 0) sections.push({ id: 'samples', heading: 'Samples', html: samples.join('\n') });
  if (drawn && projection) sections.push({ id: 'projection', heading: 'Penultimate layer', html: `${chartFigure(drawn)}\n${logitGapTable(projection)}` });
  return sections;
}

/** The HTML report of one run, from its stored files and its rendered charts (runCharts → renderSvg). */
export function runReportHtml(input: RunReportInput, rendered: RenderedChart[], extras: { sampleNotes?: string[]; projection?: Projection | null; generatedAt?: Date } = {}): string {
  const generatedAt = extras.generatedAt ?? new Date();
  const { summary, meta } = input;
  const chart = (id: string): RenderedChart => {
    const found = rendered.find((r) => r.chart.id === id);
    if (!found) throw new Error(`runReportHtml: chart "${id}" was not rendered`);
    return found;
  };
  const { dataset, config } = summary;
  const scaled = summary.arms.filter((a) => hasScaledReliability(input, a.label));
  const calibration = [chartRow(summary.arms.map((a) => chart(`reliability-${armSlug(a.label)}`)))];
  if (scaled.length > 0) calibration.push(chartRow(scaled.map((a) => chart(`reliability-${armSlug(a.label)}-scaled`))));
  calibration.push(chartRow([chart('confidence')]));
  const sections: ReportSection[] = [
    ...(summary.imbalance ? [{ id: 'imbalance', heading: 'Imbalanced training set', html: imbalanceHtml(summary) }] : []),
    verdictSection(summary),
    { id: 'curves', heading: 'Training curves', html: chartFigure(chart('curves')) },
    {
      id: 'calibration',
      heading: 'Calibration and confidence',
      html: calibration.join('\n'),
    },
    confusionSection(summary, chart),
    perClassSection(summary),
    ...samplesSections(rendered, extras.sampleNotes ?? [], extras.projection ?? null),
  ];
  const smoothedEpsilons = summary.arms.filter((a) => a.epsilon > 0).map((a) => epsilonLabel(a.epsilon));
  return reportPage({
    title: `ls-bench run ${meta.id}${meta.name ? ` — ${meta.name}` : ''}`,
    subtitle: `${dataset.name}, ${summary.model}: hard labels vs ${config.smoothing} label smoothing ${smoothedEpsilons.join(', ')}, paired (same initial weights, same batches)`,
    headerHtml: factList(runFacts(input)),
    sections,
    footer: `Generated by ls-bench from ${input.dir} (summary.json, histograms.json${rendered.some((r) => r.chart.id === 'confidence-scatter') ? ', probabilities.bin' : ''}) at ${generatedAt.toISOString()}. Charts: Vega-Lite, rendered to SVG in Node.`,
  });
}
