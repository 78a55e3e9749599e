import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { resolveReportTarget } from '../../html/loadRunForReport';
import { RenderingInterrupted } from '../../html/renderingInterrupted';
import type { ReportOptions, WrittenReport } from '../../html/writeRunReport';
import { resolveRunsDir } from '../../store/RunStore';
import { findSweepDir } from '../../sweep/locateSweep';
import type { SweepDir } from '../../sweep/sweepFiles';
import { CliError, ExitCode } from '../../errors';
import type { CommandIo } from '../commandIo';
import { addExamples } from '../help';

export interface ReportCommandOptions {
  target: string;
  runsDir?: string;
  out?: string;
  open: boolean;
  png: boolean;
  svg: boolean;
  classes?: string;
}

/** The first executable `name` on PATH, or null. */
function findOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * How this platform opens a file with the desktop's default application: `open` on macOS, `start` (a
 * command of cmd.exe) on Windows, `xdg-open` elsewhere; null (with what is missing) where there is none.
 */
export function viewerCommand(file: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): { command: string; args: string[] } | { missing: string } {
  if (platform === 'darwin') return { command: 'open', args: [file] };
  // start's first quoted argument is the window title; an empty one keeps a quoted path from being taken for it
  if (platform === 'win32') return { command: env.ComSpec ?? 'cmd.exe', args: ['/d', '/s', '/c', 'start', '""', file] };
  const opener = findOnPath('xdg-open', env);
  return opener ? { command: opener, args: [file] } : { missing: 'xdg-open not found (install xdg-utils)' };
}

/**
 * Opens a file with the desktop's viewer and says when nothing could open it: the opener (open, start,
 * xdg-open) hands the file to the viewer and exits, with a non-zero code when it found none (xdg-open on a
 * machine without a browser); one that is still running after `waitMs` is taken to have opened it.
 */
export async function openInViewer(file: string, io: CommandIo, viewer = viewerCommand(file), waitMs = 5000): Promise<boolean> {
  const fail = (why: string) => {
    io.stderr.write(`--open: ${why}; open ${file} in a browser\n`);
    return false;
  };
  if ('missing' in viewer) return fail(viewer.missing);
  const child = spawn(viewer.command, viewer.args, { detached: true, stdio: 'ignore', windowsHide: true });
  const outcome = await new Promise<{ code: number | null } | { error: Error } | 'running'>((resolve) => {
    const timer = setTimeout(() => resolve('running'), waitMs);
    child.once('error', (error) => (clearTimeout(timer), resolve({ error })));
    child.once('exit', (code) => (clearTimeout(timer), resolve({ code })));
  });
  child.unref();
  if (outcome === 'running') return true;
  if ('error' in outcome) return fail(`could not run ${viewer.command} (${outcome.error.message})`);
  if (outcome.code !== 0) return fail(`${path.basename(viewer.command)} could not open it (exit ${outcome.code ?? 'by a signal'})`);
  return true;
}

/** A report that a signal stopped: one line and the signal's exit code (130, or 143 for SIGTERM), not a bug. */
export async function interruptible<T>(render: () => Promise<T>): Promise<T> {
  try {
    return await render();
  } catch (error) {
    if (error instanceof RenderingInterrupted) {
      throw new CliError(`interrupted: ${error.message}`, error.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
    }
    throw error;
  }
}

/** Prints what a report wrote: the HTML, then each image. */
export function reportWritten(written: WrittenReport, io: CommandIo): void {
  for (const w of written.warnings) io.stderr.write(`warning: ${w}\n`);
  io.stdout.write(`report written to ${written.html}\n`);
  for (const image of written.images) io.stdout.write(`  ${image}\n`);
}

/** Loads the charting libraries (vega, about half a second) only when a report is written, not on every command. */
export async function writeRunReportLazily(runDir: string, options: ReportOptions = {}): Promise<WrittenReport> {
  const { writeRunReport } = await import('../../html/writeRunReport');
  return writeRunReport(runDir, options);
}

/** Like writeRunReportLazily, for a sweep directory. */
export async function writeSweepReportLazily(sweepDir: SweepDir, options: ReportOptions = {}): Promise<WrittenReport> {
  const { writeSweepReport } = await import('../../html/writeSweepReport');
  return writeSweepReport(sweepDir, options);
}

export async function reportCommand(options: ReportCommandOptions, io: CommandIo): Promise<number> {
  const reportOptions = { ...(options.out !== undefined ? { out: options.out } : {}), png: options.png, svg: options.svg, ...(io.signal ? { signal: io.signal } : {}) };
  // A sweep directory or sweep id names a sweep; anything else, a run.
  const sweepDir = findSweepDir(options.target, resolveRunsDir(options.runsDir));
  if (sweepDir && options.classes !== undefined) throw new CliError(`--classes: ${options.target} is a sweep; the penultimate-layer projection is in a run's report (ls-bench report <run> --classes a,b,c)`);
  const runOptions = { ...reportOptions, ...(options.classes !== undefined ? { classes: options.classes } : {}) };
  const written = await interruptible(() =>
    sweepDir ? writeSweepReportLazily(sweepDir, reportOptions) : writeRunReportLazily(resolveReportTarget(options.target, options.runsDir), runOptions),
  );
  reportWritten(written, io);
  if (options.open) await openInViewer(written.html, io);
  return ExitCode.ok;
}

export function configureReportCommand(command: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  command
    .argument('<run>', 'a run directory or run id under the runs root; or a sweep directory or sweep id under <runs>/sweeps/')
    .option('--runs-dir <dir>', 'runs root, to find a run by id [default: $LS_BENCH_RUNS_DIR, else ./runs]')
    .option('--out <file>', 'where to write the HTML: a file (never a device, FIFO or symlink: those are refused), or a directory (existing, or ending in /) to put report.html in [default: <run or sweep dir>/report.html]')
    .option('--open', 'open the report when it is written (open on macOS, start on Windows, xdg-open elsewhere)', false)
    .option('--png', 'also write each chart as a PNG, in <report>-charts/ beside the HTML', false)
    .option('--svg', 'also write each chart as an SVG, in <report>-charts/ beside the HTML', false)
    .option('--classes <a,b,c>', "the three classes of the penultimate-layer projection, by name or index [default: the three the arms confuse most]");
  addExamples(command, [
    ['ls-bench report latest --open', "the newest run's report, opened in the browser"],
    ['ls-bench report sweep-1a2b3c4d5e6f --png', "a sweep's report, with each chart as a PNG too"],
    ['ls-bench report latest --classes Shirt,T-shirt/top,Pullover', 'the penultimate-layer projection of these three classes'],
  ]);
  command.action(async (target: string, parsed: Record<string, unknown>) => {
    setExitCode(
      await reportCommand(
        {
          target,
          ...(parsed.runsDir !== undefined ? { runsDir: String(parsed.runsDir) } : {}),
          ...(parsed.out !== undefined ? { out: String(parsed.out) } : {}),
          open: parsed.open === true,
          png: parsed.png === true,
          svg: parsed.svg === true,
          ...(parsed.classes !== undefined ? { classes: String(parsed.classes) } : {}),
        },
        io,
      ),
    );
  });
}
