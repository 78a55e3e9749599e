import { Option, type Command } from 'commander';
import { resolveRunsDir } from '../../store/RunStore';
import type { SweepAggregate } from '../../sweep/aggregate';
import { parseAssertions, type Assertion, type AssertionOutcome } from '../../sweep/assertions';
import { evaluateAssertions } from '../../sweep/sweep';
import { renderSweep, SWEEP_FORMATS, type SweepFormat } from '../../text/sweepReport';
import { ExitCode } from '../../errors';
import type { CommandIo } from '../commandIo';

/** What `sweep`, `sweep show` and `sweep merge` share: where runs live, how the aggregate is printed, the gates. */
export interface SweepOutputOptions {
  json: boolean;
  format: SweepFormat;
  assert: string[];
  runsDir: string;
}

const collect = (v: string, acc: string[]) => [...acc, v];

export function addSweepOutputFlags(command: Command): Command {
  return command
    .option('--json', 'print one JSON document (aggregate, assertion results) on stdout', false)
    .addOption(new Option('--format <format>', 'table, markdown (e.g. >> $GITHUB_STEP_SUMMARY) or csv').choices([...SWEEP_FORMATS]).default('table'))
    .option('--assert <expr>', "a gate over the aggregate, e.g. 'smoothed.accuracy >= hard.accuracy - 0.005' (repeatable)", collect, [] as string[])
    .option('--runs-dir <dir>', 'runs root (default: $LS_BENCH_RUNS_DIR, else ./runs); sweeps live in <runs>/sweeps/');
}

/** The flags of addSweepOutputFlags, as commander parsed them (--format is already one of its choices). */
export function sweepOutputOptions(parsed: Record<string, unknown>): SweepOutputOptions {
  return {
    json: parsed.json === true,
    format: String(parsed.format ?? 'table') as SweepFormat,
    assert: (parsed.assert as string[] | undefined) ?? [],
    runsDir: resolveRunsDir(parsed.runsDir !== undefined ? String(parsed.runsDir) : undefined),
  };
}

/** The --assert gates of `sweep show` and `sweep merge`, checked before anything is read. */
export function gatesOf(output: SweepOutputOptions): Assertion[] {
  return parseAssertions(output.assert);
}

/** Prints the aggregate and the gate results; returns the exit code the gates ask for. */
export function printSweep(
  io: CommandIo,
  output: SweepOutputOptions,
  result: { sweepDir: string; aggregate: SweepAggregate; assertions: Assertion[]; extra?: Record<string, unknown> },
): number {
  const { aggregate } = result;
  const outcomes: AssertionOutcome[] = evaluateAssertions(result.assertions, aggregate);
  if (output.json) {
    io.stdout.write(`${JSON.stringify({ sweepId: aggregate.sweepId, sweepDir: result.sweepDir, ...result.extra, aggregate, assertions: outcomes }, null, 2)}\n`);
  } else {
    io.stdout.write(`${renderSweep(aggregate, output.format)}\n`);
  }
  for (const o of outcomes) {
    if (o.holds) io.stderr.write(`assertion holds: ${o.source}\n`);
    for (const f of o.failures) io.stderr.write(`${f}\n`);
  }
  return outcomes.every((o) => o.holds) ? ExitCode.ok : ExitCode.failure;
}
