import type { Command } from 'commander';
import { CURVE_METRICS, compareCsvTabular, compareModel, renderCompare, requireCompleted, type CurveMetric } from '../../text/compareReport';
import { renderTabular } from '../../text/tabular';
import { CliError, ExitCode } from '../../errors';
import { outputWidth } from '../../text/layout';
import { addReadOptions, readOptions, toJson } from './common';
import type { CommandIo } from '../commandIo';
import { addExamples } from '../help';

export function configureCompareCommand(command: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  addExamples(
    addReadOptions(
      command
        .argument('<runs...>', 'two or more runs: id, unique id prefix, name, or latest')
        .option('--metric <name>', `per-epoch metric to chart: ${CURVE_METRICS.join(', ')}`, 'testAccuracy'),
    ),
    [
      ['ls-bench compare eps01 eps02 --metric testNll', 'two named runs: config differences, final metrics with deltas, the test NLL per epoch'],
      ['ls-bench compare 20261125-1422 latest --format markdown', 'an older run against the newest, for a pull request'],
    ],
  ).action((refs: string[], parsed: Record<string, unknown>) => {
    const { store, format } = readOptions(parsed);
    const metric = String(parsed.metric);
    if (!(CURVE_METRICS as readonly string[]).includes(metric)) throw new CliError(`--metric "${metric}": expected one of ${CURVE_METRICS.join(', ')}`);
    if (refs.length < 2) throw new CliError(`compare: expected at least two runs, got ${refs.length}`);
    const ids = refs.map((ref) => store.resolve(ref));
    const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
    if (repeated) throw new CliError(`compare: run ${repeated} is named twice (${refs.filter((_, i) => ids[i] === repeated).join(', ')})`);
    const model = compareModel(
      ids.map((id) => requireCompleted(store.readValid(id))),
      metric as CurveMetric,
    );
    if (format === 'json') io.stdout.write(toJson(model));
    else if (format === 'csv') io.stdout.write(`${renderTabular(compareCsvTabular(model), 'csv')}\n`);
    else io.stdout.write(`${renderCompare(model, format, { width: outputWidth(io.stdout) })}\n`);
    setExitCode(ExitCode.ok);
  });
}
