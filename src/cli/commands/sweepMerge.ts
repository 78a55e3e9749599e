import { aggregateDir } from '../../sweep/sweep';
import { mergeSweepDirs } from '../../sweep/merge';
import { resolveSweepDir, sweepDirPath } from '../../sweep/locateSweep';
import { ExitCode } from '../../errors';
import { note, type CommandIo } from '../commandIo';
import type { SweepOutputOptions } from './sweepOutput';
import { evaluateGates, gatesOf, gatesOfStoredSweep, printSweep } from './sweepPrint';

/**
 * `ls-bench sweep merge <dir>...`: the shards of one sweep into one sweep directory and its aggregate.
 * An incomplete merge (cells completed in no input) exits 1 after printing what there is.
 */
export function mergeSweepCommand(refs: string[], options: { out?: string; output: SweepOutputOptions; argv: string[] }, io: CommandIo): number {
  const { output } = options;
  gatesOf(output);
  const inputs = refs.map((r) => resolveSweepDir(r, output.runsDir));
  const out = sweepDirPath(options.out, output.runsDir, inputs[0]!.readMeta().sweepId, null, '--out');
  const { sweepDir, meta, duplicates } = mergeSweepDirs(inputs, out, options.argv);
  if (duplicates.length > 0) io.stderr.write(`merge: cell(s) ${[...new Set(duplicates)].join(', ')} completed in more than one input; kept the first\n`);
  const aggregate = aggregateDir(sweepDir, meta);
  sweepDir.writeAggregate(aggregate);
  note(io, `merged ${inputs.length} director${inputs.length === 1 ? 'y' : 'ies'} into ${sweepDir.dir}`);
  // without --assert, the gates the shards were run with
  const gates = evaluateGates(sweepDir, gatesOfStoredSweep(output, inputs), aggregate);
  let code = printSweep(io, output, { sweepDir: sweepDir.dir, aggregate, gates });
  if (aggregate.missingCells.length > 0) {
    io.stderr.write(`merge: incomplete: ${aggregate.missingCells.length} cell(s) not completed in any input: ${aggregate.missingCells.join(', ')}\n`);
    code = ExitCode.failure;
  }
  return code;
}
