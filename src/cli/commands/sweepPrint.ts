import type { SweepAggregate } from '../../sweep/aggregate';
import { parseAssertions, type Assertion } from '../../sweep/assertions';
import type { AssertionOutcome } from '../../sweep/gateEvaluation';
import { evaluateAssertions } from '../../sweep/sweep';
import type { SweepDir } from '../../sweep/sweepFiles';
import { outputWidth } from '../../text/layout';
import { renderSweep } from '../../text/sweepReport';
import { ExitCode } from '../../errors';
import { note, type CommandIo } from '../commandIo';
import type { SweepOutputOptions } from './sweepOutput';

/** The --assert gates of `sweep show` and `sweep merge`, checked before anything is read. */
export function gatesOf(output: SweepOutputOptions): Assertion[] {
  return parseAssertions(output.assert);
}

/**
 * The gates of a stored sweep: those given with --assert; without any, the ones it was run (or merged)
 * with, from its gates.json, evaluated again on the aggregate as it is now.
 */
export function gatesOfStoredSweep(output: SweepOutputOptions, sweepDirs: SweepDir[]): Assertion[] {
  if (output.assert.length > 0) return gatesOf(output);
  const stored = sweepDirs.map((d) => d.readGates()).find((g) => g !== null);
  return parseAssertions((stored?.results ?? []).map((r) => r.source));
}

/** Each gate's result on the aggregate, written to the sweep directory beside it. */
export function evaluateGates(sweepDir: SweepDir, assertions: Assertion[], aggregate: SweepAggregate): AssertionOutcome[] {
  const outcomes = evaluateAssertions(assertions, aggregate);
  sweepDir.writeGates(aggregate.sweepId, outcomes);
  return outcomes;
}

/**
 * Prints the aggregate with the gate results (every format but CSV carries them: the markdown in a CI job
 * summary says why a build failed), and each failing gate on stderr too; returns the exit code the gates ask for.
 */
export function printSweep(
  io: CommandIo,
  output: SweepOutputOptions,
  result: { sweepDir: string; aggregate: SweepAggregate; gates: AssertionOutcome[]; extra?: Record<string, unknown> },
): number {
  const { aggregate, gates } = result;
  if (output.json) {
    io.stdout.write(`${JSON.stringify({ sweepId: aggregate.sweepId, sweepDir: result.sweepDir, ...result.extra, aggregate, assertions: gates }, null, 2)}\n`);
  } else {
    io.stdout.write(`${renderSweep(aggregate, output.format, { gates, width: outputWidth(io.stdout) })}\n`);
  }
  for (const o of gates) {
    if (o.holds) note(io, `gate holds: ${o.source}`);
    for (const f of o.failures) io.stderr.write(`${f}\n`);
  }
  return gates.every((o) => o.holds) ? ExitCode.ok : ExitCode.failure;
}
