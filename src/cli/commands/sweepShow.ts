import { aggregateDir } from '../../sweep/sweep';
import { resolveSweepDir } from '../../sweep/locateSweep';
import type { CommandIo } from '../commandIo';
import { gatesOf, printSweep, type SweepOutputOptions } from './sweepOutput';

/** `ls-bench sweep show <sweep>`: the aggregate of a sweep directory (or a sweep id), and its gates. */
export function showSweepCommand(ref: string, output: SweepOutputOptions, io: CommandIo): number {
  const assertions = gatesOf(output);
  const sweepDir = resolveSweepDir(ref, output.runsDir);
  const meta = sweepDir.readMeta();
  const aggregate = aggregateDir(sweepDir, meta);
  return printSweep(io, output, { sweepDir: sweepDir.dir, aggregate, assertions, extra: { shard: meta.shard, progress: sweepDir.readProgress() } });
}
