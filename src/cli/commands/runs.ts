import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { renderTabular } from '../../text/tabular';
import { runListCsvTable, runListJson, runListTable, listedRuns, type RunListView } from '../../text/runList';
import type { RunRecord } from '../../store/runReader';
import { differingOptions, filterRuns, parseLimit, parseSince, parseStatuses, sweepRefOf, type RunFilter } from '../../store/runQuery';
import { parseSort, runSortValue, sortBy, type RunSort, type SortValue } from '../../store/runSort';
import { groupRunsBySweep, resolveSweepRef, type RunListItem, type SweepListing } from '../../sweep/sweepRuns';
import { CliError, ExitCode } from '../../errors';
import { outputWidth } from '../../text/layout';
import { addReadOptions, readOptions, toJson } from './common';
import type { CommandIo } from '../commandIo';
import { addExamples } from '../help';

/**
 * The streams `runs rm` needs besides stdout/stderr: stdin, to ask before deleting on a terminal.
 * bin/ls-bench.js passes process.stdin along with the other streams.
 */
export type RunsIo = CommandIo & { stdin?: Readable & { isTTY?: boolean } };

export function configureRunsCommand(command: Command, commandIo: CommandIo, setExitCode: (code: number) => void): void {
  const io = commandIo as RunsIo;
  const runs = addReadOptions(
    command
      .option('--dataset <name>', 'only runs on this data set')
      .option('--status <list>', 'only runs with these statuses (comma-separated)')
      .option('--since <when>', 'only runs created since a duration ago (30m, 2h, 7d) or a date (2026-11-25)')
      .option('--tag <tag>', 'only runs with this tag')
      .option('--limit <n>', 'at most this many lines (a sweep is one)')
      .option('--cells', "list each sweep's cell runs below its line", false)
      .option('--sweep <id>', "list only this sweep's cell runs (its id or a unique prefix)")
      .option('--sort <key>', 'sort by KEY[:desc]: created, id, name, status, dataset, epochs, duration, hard.accuracy, hard.ece, smoothed.accuracy, smoothed.ece or a training option (learningRate, seed, …) [default: newest first]'),
  );
  addExamples(runs, [
    ['ls-bench runs --status completed --since 7d', "the last week's completed runs"],
    ['ls-bench runs --json', 'every run, for scripts (stable keys)'],
  ]);
  runs.action((parsed: Record<string, unknown>) => {
    const { store, format } = readOptions(parsed);
    const filter: RunFilter = {
      ...(parsed.dataset !== undefined ? { dataset: String(parsed.dataset) } : {}),
      ...(parsed.status !== undefined ? { statuses: parseStatuses(String(parsed.status)) } : {}),
      ...(parsed.since !== undefined ? { since: parseSince(String(parsed.since)) } : {}),
      ...(parsed.tag !== undefined ? { tag: String(parsed.tag) } : {}),
    };
    const limit = parsed.limit !== undefined ? parseLimit(String(parsed.limit)) : undefined;
    const sort = parsed.sort !== undefined ? parseSort(String(parsed.sort)) : undefined;
    const now = Date.now();
    const all = store.list({ metrics: false });
    let records = filterRuns(all, filter);
    const sweep = parsed.sweep !== undefined ? resolveSweepRef(String(parsed.sweep), all, store.root) : undefined;
    if (sweep !== undefined) records = records.filter((r) => sweepRefOf(r)?.id === sweep);
    // --sweep lists one sweep's cells as runs; otherwise a sweep's cells are one line (--cells expands it).
    const grouped: RunListItem[] = sweep !== undefined ? records.map((run) => ({ kind: 'run', run })) : groupRunsBySweep(records, store.root);
    const items = sorted(grouped, sort, now).slice(0, limit);
    const view: RunListView = { items, cells: parsed.cells === true, options: differingOptions(runsOf(items)), now };
    if (format === 'json') {
      io.stdout.write(toJson(runListJson(view, store.root)));
    } else if (format === 'csv') {
      io.stdout.write(`${renderTabular(runListCsvTable(view), 'csv')}\n`);
    } else if (items.length === 0) {
      io.stdout.write(`no runs${Object.keys(filter).length > 0 || sweep !== undefined ? ' match' : ''} in ${store.root}\n`);
    } else {
      io.stdout.write(`${renderTabular(runListTable(view), format, { width: outputWidth(io.stdout) })}\n`);
    }
    // Broken runs are listed (as corrupt/unsupported); what is wrong with them goes to stderr.
    for (const r of listedRuns({ ...view, cells: true })) {
      if ((r.status === 'corrupt' || r.status === 'unsupported') && r.problems[0]) {
        io.stderr.write(`ls-bench: run ${r.id} is ${r.status}: ${r.problems[0].file}: ${r.problems[0].message}\n`);
      }
    }
    setExitCode(ExitCode.ok);
  });

  configureRunsRm(runs, io, setExitCode);
}

/** `runs rm <run...>`: deletes runs, asking first on a terminal. */
function configureRunsRm(runs: Command, io: RunsIo, setExitCode: (code: number) => void): void {
  const rm = runs
    .command('rm')
    .description('delete runs (asks first on a terminal; --yes in scripts)')
    .argument('<run...>', 'runs to delete: id, unique id prefix, name or latest')
    .option('--runs-dir <dir>', 'runs root [default: $LS_BENCH_RUNS_DIR, else ./runs]')
    .option('-y, --yes', 'delete without asking', false);
  addExamples(rm, [
    ['ls-bench runs rm 20261125-142233-a1b2', 'asks first, on a terminal'],
    ['ls-bench runs rm old-baseline latest --yes', 'two runs (a name and the newest), in a script'],
  ]);
  rm.action(async (refs: string[], parsed: Record<string, unknown>) => {
      const merged = { ...runs.opts(), ...Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) };
      const { store } = readOptions({ runsDir: merged.runsDir });
      const ids = [...new Set(refs.map((ref) => store.resolve(ref)))];
      if (merged.yes !== true) {
        if (io.stdin?.isTTY !== true) {
          throw new CliError(`runs rm: would delete ${ids.length} run(s) (${ids.join(', ')}); stdin is not a terminal, so pass --yes to confirm`);
        }
        const answer = await ask(io, `delete ${ids.length} run(s) from ${store.root}: ${ids.join(', ')}? [y/N] `);
        if (!/^y(es)?$/i.test(answer.trim())) {
          io.stderr.write('nothing deleted\n');
          setExitCode(ExitCode.failure);
          return;
        }
      }
      for (const id of ids) {
        store.remove(id);
        io.stdout.write(`deleted ${id}\n`);
      }
      setExitCode(ExitCode.ok);
    });
}

/** One line from stdin, the question on stderr (stdout stays for results). */
function ask(io: RunsIo, question: string): Promise<string> {
  io.stderr.write(question);
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.stdin!, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve('');
    });
  });
}


/** The runs behind the listed lines: a sweep's cells count, shown or not (its line shows their options). */
function runsOf(items: RunListItem[]): RunRecord[] {
  return items.flatMap((item) => (item.kind === 'run' ? [item.run] : item.sweep.runs));
}

/** A sweep's value of a sort key: its newest run's creation, its id, status and wall time, or the value all its runs share. */
function sweepSortValue(sweep: SweepListing, sort: RunSort, now: number): SortValue {
  if (sort.key === 'created') return sweep.createdAt;
  if (sort.key === 'id' || sort.key === 'name') return sweep.id;
  if (sort.key === 'status') return sweep.status;
  const values = new Set(sweep.runs.map((r) => runSortValue(r, sort.key, now)));
  return values.size === 1 ? [...values][0] : undefined;
}

/** --sort: the lines by the key, and each sweep's cells by it too (else they stay in the grid's order). */
function sorted(items: RunListItem[], sort: RunSort | undefined, now: number): RunListItem[] {
  if (!sort) return items;
  const inner = items.map((item) =>
    item.kind === 'run' ? item : { kind: 'sweep' as const, sweep: { ...item.sweep, runs: sortBy(item.sweep.runs, sort, (r) => runSortValue(r, sort.key, now)) } },
  );
  return sortBy(inner, sort, (item) => (item.kind === 'run' ? runSortValue(item.run, sort.key, now) : sweepSortValue(item.sweep, sort, now)));
}
