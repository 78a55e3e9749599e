import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fixed, percent, seconds } from '../../text/format';
import { renderTabular, type Tabular } from '../../text/tabular';
import type { RunRecord } from '../../store/runReader';
import { filterRuns, parseLimit, parseSince, parseStatuses, runDataset, runSeconds, type RunFilter } from '../../store/runQuery';
import { CliError, ExitCode } from '../../errors';
import { outputWidth } from '../../text/layout';
import { addReadOptions, readOptions, runIdentityJson, toJson } from './common';
import type { CommandIo } from '../commandIo';
import { addExamples } from '../help';

/**
 * The streams `runs rm` needs besides stdout/stderr: stdin, to ask before deleting on a terminal.
 * bin/ls-bench.js passes process.stdin along with the other streams.
 */
export type RunsIo = CommandIo & { stdin?: Readable & { isTTY?: boolean } };

/** One run as `runs --json` prints it. The keys are stable: scripts rely on them. */
export function runListEntry(r: RunRecord, now = Date.now()) {
  const config = r.summary?.config ?? r.config;
  return {
    ...runIdentityJson(r),
    dataset: runDataset(r),
    smoothing: config?.smoothing ?? null,
    epsilon: config?.epsilon ?? null,
    epochs: { completed: r.statusFile?.completedEpochs ?? null, total: config?.epochs ?? null },
    arms: (r.summary?.arms ?? []).map((a) => ({ label: a.label, epsilon: a.epsilon, testAccuracy: a.test.accuracy, ece: a.test.ece })),
    seconds: runSeconds(r, now),
    dir: r.dir,
    problems: r.problems,
  };
}

type Entry = ReturnType<typeof runListEntry>;

function armsCell(e: Entry, pick: (a: Entry['arms'][number]) => string): string {
  return e.arms.length === 0 ? '—' : e.arms.map(pick).join(' / ');
}

export function runListTable(entries: Entry[]): Tabular {
  return {
    head: ['id', 'name', 'status', 'data set', 'ε (smoothing)', 'epochs', 'test acc (hard / smoothed)', 'ECE (hard / smoothed)', 'duration'],
    numeric: [5, 6, 7, 8],
    rows: entries.map((e) => [
      e.id,
      e.name ?? '',
      e.status,
      e.dataset ?? '—',
      e.epsilon ? `${e.epsilon.join(',')} (${e.smoothing})` : '—',
      `${e.epochs.completed ?? '?'}/${e.epochs.total ?? '?'}`,
      armsCell(e, (a) => percent(a.testAccuracy)),
      armsCell(e, (a) => fixed(a.ece)),
      e.seconds === null ? '—' : seconds(e.seconds),
    ]),
  };
}

/** CSV: one row per run and arm, numbers unformatted, for spreadsheets and scripts. */
export function runListCsvTable(entries: Entry[]): Tabular {
  const head = ['id', 'name', 'status', 'createdAt', 'dataset', 'smoothing', 'epochsCompleted', 'epochsTotal', 'arm', 'epsilon', 'testAccuracy', 'ece', 'seconds'];
  const rows: string[][] = [];
  for (const e of entries) {
    const base = [e.id, e.name ?? '', e.status, e.createdAt, e.dataset ?? '', e.smoothing ?? '', String(e.epochs.completed ?? ''), String(e.epochs.total ?? '')];
    const tail = [e.seconds === null ? '' : String(e.seconds)];
    if (e.arms.length === 0) rows.push([...base, '', '', '', '', ...tail]);
    for (const a of e.arms) rows.push([...base, a.label, String(a.epsilon), String(a.testAccuracy), String(a.ece), ...tail]);
  }
  return { head, rows };
}

export function configureRunsCommand(command: Command, commandIo: CommandIo, setExitCode: (code: number) => void): void {
  const io = commandIo as RunsIo;
  const runs = addReadOptions(
    command
      .option('--dataset <name>', 'only runs on this data set')
      .option('--status <list>', 'only runs with these statuses (comma-separated)')
      .option('--since <when>', 'only runs created since a duration ago (30m, 2h, 7d) or a date (2026-11-25)')
      .option('--tag <tag>', 'only runs with this tag')
      .option('--limit <n>', 'at most this many runs'),
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
      ...(parsed.limit !== undefined ? { limit: parseLimit(String(parsed.limit)) } : {}),
    };
    const now = Date.now();
    const records = filterRuns(store.list({ metrics: false }), filter);
    const entries = records.map((r) => runListEntry(r, now));
    if (format === 'json') {
      io.stdout.write(toJson({ runsDir: store.root, runs: entries }));
    } else if (format === 'csv') {
      io.stdout.write(`${renderTabular(runListCsvTable(entries), 'csv')}\n`);
    } else if (entries.length === 0) {
      io.stdout.write(`no runs${Object.keys(filter).length > 0 ? ' match' : ''} in ${store.root}\n`);
    } else {
      io.stdout.write(`${renderTabular(runListTable(entries), format, { width: outputWidth(io.stdout) })}\n`);
    }
    // Broken runs are listed (as corrupt/unsupported); what is wrong with them goes to stderr.
    for (const r of records) {
      if ((r.status === 'corrupt' || r.status === 'unsupported') && r.problems[0]) {
        io.stderr.write(`ls-bench: run ${r.id} is ${r.status}: ${r.problems[0].file}: ${r.problems[0].message}\n`);
      }
    }
    setExitCode(ExitCode.ok);
  });

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

