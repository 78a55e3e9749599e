import type { Command } from 'commander';
import { metricsRowsTabular, renderRunMarkdown } from '../../text/runMarkdown';
import { renderRun } from '../../text/runReport';
import { renderTabular } from '../../text/tabular';
import { markdownText } from '../../text/safeText';
import type { RunRecord } from '../../store/runReader';
import { ExitCode } from '../../errors';
import { outputWidth } from '../../text/layout';
import { addReadOptions, readOptions, runIdentityJson, toJson } from './common';
import type { CommandIo } from '../commandIo';
import { addExamples } from '../help';

/** `show --json`: everything stored about the run except the predictions. Stable keys. */
export function showJson(r: RunRecord) {
  return {
    ...runIdentityJson(r),
    command: r.meta?.command ?? [],
    dir: r.dir,
    config: r.config,
    environment: r.environment,
    completedEpochs: r.statusFile?.completedEpochs ?? 0,
    metrics: r.metrics,
    summary: r.summary,
    histograms: r.histograms,
  };
}

function runTitle(r: RunRecord): string {
  const name = r.meta?.name ? ` "${r.meta.name}"` : '';
  const tags = r.meta?.tags.length ? ` [${r.meta.tags.join(', ')}]` : '';
  return `run ${r.id}${name}${tags}: ${r.status}${r.statusNote ? ` (${r.statusNote})` : ''}`;
}

export function configureShowCommand(command: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  addExamples(addReadOptions(command.argument('<run>', 'id, unique id prefix, name, or latest')), [
    ['ls-bench show latest', 'the newest run, as train printed it'],
    ['ls-bench show latest --format markdown', 'the same as markdown, to paste into a pull request'],
  ]).action((ref: string, parsed: Record<string, unknown>) => {
    const { store, format } = readOptions(parsed);
    const record = store.readValid(store.resolve(ref));
    if (format === 'json') {
      io.stdout.write(toJson(showJson(record)));
    } else if (format === 'csv') {
      io.stdout.write(`${renderTabular(metricsRowsTabular(record.metrics, 'csv'), 'csv')}\n`);
    } else if (record.summary && record.histograms) {
      const verbose = io.verbosity === 'verbose';
      const report =
        format === 'markdown'
          ? renderRunMarkdown(record.summary, record.histograms, record.environment ?? undefined, { verbose })
          : renderRun(record.summary, record.histograms, record.environment ?? undefined, { width: outputWidth(io.stdout), verbose });
      const title = format === 'markdown' ? `### ${markdownText(runTitle(record))}` : runTitle(record);
      const where = format === 'markdown' ? markdownText(`run directory ${record.dir}`) : `run directory ${record.dir}`;
      io.stdout.write(`${title}\n\n${report}\n\n${where}\n`);
    } else {
      // An unfinished run has no summary: what it has is its config and the epochs it completed.
      const lines = [
        runTitle(record),
        `completed ${record.statusFile?.completedEpochs ?? 0} of ${record.config?.epochs ?? '?'} epochs; no final results (summary.json is written only when a run completes)`,
      ];
      if (record.metrics.length > 0) lines.push('', renderTabular(metricsRowsTabular(record.metrics, format), format, { width: outputWidth(io.stdout) }));
      lines.push('', `run directory ${record.dir}`);
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    setExitCode(ExitCode.ok);
  });
}
