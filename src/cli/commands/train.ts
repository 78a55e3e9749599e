import { Option, type Command } from 'commander';
import { TrainConfigSchema } from '../../config/schema';
import { schemaOptions } from '../../config/schemaOptions';
import { abortWhenParentGone, EVENTS_FD_FLAG, parseSweepCellRef, runCreatedReporter, SWEEP_CELL_FLAG } from '../../sweep/cellEvents';
import type { CommandIo } from '../commandIo';
import { addExamples } from '../help';
import { addSchemaFlags, collectFlags } from '../schemaFlags';
import { MAX_MEMORY_ENV } from '../../engine/memoryEstimate';

/** `ls-bench train`: its flags (one per key of the training schema, and the run's own), wired to trainCommand. */
export function configureTrainCommand(train: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  const trainOptions = schemaOptions(TrainConfigSchema);
  train
    .option('-c, --config <file>', 'YAML or JSON config file, or the name of a shipped one (`ls-bench configs`); flags override its values')
    .option('--json', 'print one JSON document on stdout instead of tables (logs stay on stderr)', false)
    .option('--runs-dir <dir>', 'runs root [default: $LS_BENCH_RUNS_DIR, else ./runs]')
    .option('--name <name>', 'a name for the run')
    .option('--tag <tag>', 'a tag for the run (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--resume <run>', 'continue an interrupted run (id, unique id prefix, directory, or latest: the newest run that can be resumed) after its last completed epoch')
    .option('--check-determinism', 'train a second time in memory and report the first difference, if any (exit 1 if not identical)', false)
    .option('--report', 'write the HTML report (<run>/report.html) at the end, as `ls-bench report` does', false)
    .option('--max-memory <size>', `refuse a run whose estimated memory is above this, e.g. 8G [default: $${MAX_MEMORY_ENV}, else 75% of this machine's memory]`)
    .addOption(new Option(`${EVENTS_FD_FLAG} <fd>`, 'for ls-bench sweep: JSON-line events to this file descriptor (src/sweep/cellEvents.ts)').hideHelp())
    .addOption(new Option(`${SWEEP_CELL_FLAG} <json>`, 'for ls-bench sweep: the sweep cell this run is, recorded in run.json (src/sweep/cellEvents.ts)').hideHelp());
  addSchemaFlags(train, trainOptions);
  addExamples(train, [
    ['ls-bench train --epsilon 0.1', 'hard vs ε=0.1 on the built-in synthetic data, in seconds'],
    ['ls-bench train --config fashion-mnist --epsilon 0.05,0.1,0.2', 'the classic experiment, one smoothed arm per ε'],
    ['ls-bench train --resume latest', 'continue the newest interrupted run'],
  ]);
  train.action(async (parsed: Record<string, unknown>) => {
    // Checked before TensorFlow.js loads: a mistake in the flags is one quick line.
    const options = {
      ...(parsed.config !== undefined ? { configFile: String(parsed.config) } : {}),
      flags: collectFlags(parsed, trainOptions),
      json: parsed.json === true,
      ...(parsed.runsDir !== undefined ? { runsDir: String(parsed.runsDir) } : {}),
      ...(parsed.name !== undefined ? { name: String(parsed.name) } : {}),
      tags: (parsed.tag as string[]) ?? [],
      ...(parsed.resume !== undefined ? { resume: String(parsed.resume) } : {}),
      checkDeterminism: parsed.checkDeterminism === true,
      report: parsed.report === true,
      ...(parsed.maxMemory !== undefined ? { maxMemory: String(parsed.maxMemory) } : {}),
      ...(parsed.eventsFd !== undefined ? { onRunCreated: runCreatedReporter(String(parsed.eventsFd)) } : {}),
      ...(parsed.sweepCell !== undefined ? { sweepCell: parseSweepCellRef(String(parsed.sweepCell)) } : {}),
      argv: process.argv.slice(2),
    };
    // A sweep's cell (it passes --events-fd) stops when its sweep is gone.
    const signal = parsed.eventsFd !== undefined ? abortWhenParentGone(io.stdin, io.signal) : io.signal;
    const commandIo = { ...io, ...(signal ? { signal } : {}) };
    if (options.resume !== undefined) {
      const { resumeCommand } = await import('./trainResume');
      setExitCode(await resumeCommand(options, commandIo));
    } else {
      const { trainCommand } = await import('./trainSession');
      setExitCode(await trainCommand(options, commandIo));
    }
  });
}
