import { resolveSweepDir } from '../../sweep/locateSweep';
import { aggregateDir, evaluateAssertions } from '../../sweep/sweep';
import type { CommandIo } from '../commandIo';
import type { SweepOutputOptions } from './sweepOutput';
import { gatesOf, gatesOfStoredSweep, printSweep } from './sweepPrint';

/**
 * `ls-bench sweep show <sweep>`: the aggregate of a sweep directory (or a sweep id), and its gates: those
 * given with --assert, else the ones it was run with. It only reads: gates.json stays as the sweep wrote it.
 */
export function showSweepCommand(ref: string, output: SweepOutputOptions, io: CommandIo): number {
  gatesOf(output);
  const sweepDir = resolveSweepDir(ref, output.runsDir);
  const meta = sweepDir.readMeta();
  const aggregate = aggregateDir(sweepDir, meta);
  const gates = evaluateAssertions(gatesOfStoredSweep(output, [sweepDir]), aggregate);
  return printSweep(io, output, { sweepDir: sweepDir.dir, aggregate, gates, extra: { shard: meta.shard, progress: sweepDir.readProgress() } });
}
