import { parseAssertions } from '../sweep/assertions';
import { aggregateDir, evaluateAssertions } from '../sweep/sweep';
import { CliError } from '../errors';
import { SWEEP_FILES, type SweepDir } from '../sweep/sweepFiles';
import { sweepCharts } from './sweepCharts';
import { sweepReportHtml, type SweepReportInput } from './sweepReportHtml';
import { renderCharts, writeReportFiles, type ReportOptions, type WrittenReport } from './writeRunReport';

/** Reads a sweep directory: its identity and the aggregate over the cells completed in it (what `sweep show` prints). */
export function loadSweepForReport(sweepDir: SweepDir): SweepReportInput {
  const meta = sweepDir.readMeta();
  const aggregate = aggregateDir(sweepDir, meta);
  if (aggregate.missingCells.length === aggregate.expectedCells.length) {
    throw new CliError(`${sweepDir.dir}: no completed cells in ${SWEEP_FILES.cells}/; a report needs at least one (run or resume the sweep)`);
  }
  // the gates it was run with, on the aggregate as it is now (as `sweep show` shows them)
  const stored = sweepDir.readGates();
  const gates = stored ? evaluateAssertions(parseAssertions(stored.results.map((r) => r.source)), aggregate) : null;
  return { dir: sweepDir.dir, meta, aggregate, gates };
}

/** Renders the sweep's charts and writes <sweep-dir>/report.html (and the images asked for). */
export async function writeSweepReport(sweepDir: SweepDir, options: ReportOptions = {}): Promise<WrittenReport> {
  const input = loadSweepForReport(sweepDir);
  const { rendered, warnings } = await renderCharts(sweepCharts(input.aggregate), options.signal);
  return { ...(await writeReportFiles(sweepDir.dir, rendered, sweepReportHtml(input, rendered), options)), warnings };
}
