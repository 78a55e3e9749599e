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

export interface ReportCommandOptions {
  target: string;
  runsDir?: string;
  out?: string;
  open: boolean;
  png: boolean;
  svg: boolean;
}

/** The first executable `name` on PATH, or null. */
function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
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

/** Opens a file with the desktop's viewer, without waiting for it; says so when there is none. */
export function openInViewer(file: string, io: CommandIo): void {
  const opener = findOnPath('xdg-open');
  if (!opener) {
    io.stderr.write(`--open: xdg-open not found; open ${file} in a browser\n`);
    return;
  }
  const child = spawn(opener, [file], { detached: true, stdio: 'ignore' });
  child.on('error', (error) => io.stderr.write(`--open: ${opener} failed: ${error.message}\n`));
  child.unref();
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
  const written = await interruptible(() =>
    sweepDir ? writeSweepReportLazily(sweepDir, reportOptions) : writeRunReportLazily(resolveReportTarget(options.target, options.runsDir), reportOptions),
  );
  reportWritten(written, io);
  if (options.open) openInViewer(written.html, io);
  return ExitCode.ok;
}

export function registerReportCommand(program: Command, io: CommandIo, setExitCode: (code: number) => void): void {
  program
    .command('report')
    .description('write a self-contained HTML report of a run (curves, reliability diagrams, confidence histograms, confusion matrices, per-class table, verdict) or of a sweep (metrics against ε with seed spread, paired differences with 95% intervals, verdicts, McNemar)')
    .argument('<run>', 'a run directory or run id under the runs root; or a sweep directory or sweep id under <runs>/sweeps/')
    .option('--runs-dir <dir>', 'runs root, to find a run by id (default: $LS_BENCH_RUNS_DIR, else ./runs)')
    .option('--out <file>', 'where to write the HTML: a file (never a device, FIFO or symlink: those are refused), or a directory (existing, or ending in /) to put report.html in; default: <run or sweep dir>/report.html')
    .option('--open', 'open the report with xdg-open when it is written', false)
    .option('--png', 'also write each chart as a PNG, in <report>-charts/ beside the HTML', false)
    .option('--svg', 'also write each chart as an SVG, in <report>-charts/ beside the HTML', false)
    .action(async (target: string, parsed: Record<string, unknown>) => {
      setExitCode(
        await reportCommand(
          {
            target,
            ...(parsed.runsDir !== undefined ? { runsDir: String(parsed.runsDir) } : {}),
            ...(parsed.out !== undefined ? { out: String(parsed.out) } : {}),
            open: parsed.open === true,
            png: parsed.png === true,
            svg: parsed.svg === true,
          },
          io,
        ),
      );
    });
}
