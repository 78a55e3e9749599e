import { Option, type Command } from 'commander';
import { resolveRunsDir } from '../../store/RunStore';
import { OUTPUT_FORMATS, type OutputFormat } from '../../text/tabular';

/** What `sweep`, `sweep show` and `sweep merge` share: where runs live, how the aggregate is printed, the gates. */
export interface SweepOutputOptions {
  json: boolean;
  format: Exclude<OutputFormat, 'json'>;
  assert: string[];
  runsDir: string;
}

const collect = (v: string, acc: string[]) => [...acc, v];

export function addSweepOutputFlags(command: Command): Command {
  return command
    .option('--json', 'print one JSON document (aggregate, gate results) on stdout', false)
    .addOption(new Option('--format <format>', 'table, markdown (e.g. >> $GITHUB_STEP_SUMMARY; gate results included) or csv').choices([...OUTPUT_FORMATS]).default('table'))
    .option('--assert <expr>', "a gate over the aggregate, e.g. 'smoothed.accuracy >= hard.accuracy - 0.005' (repeatable; exit 1 if one fails)", collect, [] as string[])
    .option('--runs-dir <dir>', 'runs root; sweeps live in <runs>/sweeps/ [default: $LS_BENCH_RUNS_DIR, else ./runs]');
}

/** The flags of addSweepOutputFlags, as commander parsed them (--format is already one of its choices). */
export function sweepOutputOptions(parsed: Record<string, unknown>): SweepOutputOptions {
  return {
    json: parsed.json === true,
    format: String(parsed.format ?? 'table') as SweepOutputOptions['format'],
    assert: (parsed.assert as string[] | undefined) ?? [],
    runsDir: resolveRunsDir(parsed.runsDir !== undefined ? String(parsed.runsDir) : undefined),
  };
}
