import path from 'node:path';
import { aggregateDir } from '../sweep/sweep';
import { CliError } from '../cli/CliError';
import { SWEEP_FILES, type SweepDir } from '../sweep/sweepFiles';
import type { RenderedChart } from './html';
import { renderSvg, svgToPng } from './renderChart';
import { sweepCharts } from './sweepCharts';
import { sweepReportHtml, type SweepReportInput } from './sweepReportHtml';
import { reportPaths, writeOrFail, type ReportOptions, type WrittenReport } from './writeRunReport';

/** Reads a sweep directory: its identity and the aggregate over the cells completed in it (what `sweep show` prints). */
export function loadSweepForReport(sweepDir: SweepDir): SweepReportInput {
  const meta = sweepDir.readMeta();
  const aggregate = aggregateDir(sweepDir, meta);
  if (aggregate.missingCells.length === aggregate.expectedCells.length) {
    throw new CliError(`${sweepDir.dir}: no completed cells in ${SWEEP_FILES.cells}/; a report needs at least one (run or resume the sweep)`);
  }
  return { dir: sweepDir.dir, meta, aggregate };
}

/** Renders the sweep's charts and writes <sweep-dir>/report.html (and the images asked for). */
export async function writeSweepReport(sweepDir: SweepDir, options: ReportOptions = {}): Promise<WrittenReport> {
  const input = loadSweepForReport(sweepDir);
  const rendered: RenderedChart[] = [];
  const warnings: string[] = [];
  for (const chart of sweepCharts(input.aggregate)) {
    const { svg, warnings: chartWarnings } = await renderSvg(chart.spec);
    rendered.push({ chart, svg });
    warnings.push(...chartWarnings.map((w) => `chart ${chart.id}: ${w}`));
  }
  const { html, imagesDir } = reportPaths(sweepDir.dir, options.out);
  const images: string[] = [];
  for (const { chart, svg } of rendered) {
    if (options.svg) {
      const file = path.join(imagesDir, `${chart.id}.svg`);
      writeOrFail(file, svg);
      images.push(file);
    }
    if (options.png) {
      const file = path.join(imagesDir, `${chart.id}.png`);
      writeOrFail(file, svgToPng(svg));
      images.push(file);
    }
  }
  writeOrFail(html, sweepReportHtml(input, rendered));
  return { html, images, warnings };
}
