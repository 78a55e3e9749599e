import { existsSync, lstatSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError, nonEmptyPath } from '../errors';
import { writeFileAtomic } from '../store/atomicFile';
import { fileSystemError } from '../store/fileSystemError';
import type { RenderedChart } from './html';
import { loadRunForReport, type RunReportInput } from './loadRunForReport';
import { loadSampleLayer } from './loadSampleLayer';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { RenderingInterrupted } from './renderingInterrupted';
import { renderSvg, svgToPng } from './renderChart';
import { runCharts, type ReportChart } from './runCharts';
import { runReportHtml } from './runReportHtml';
import { loadProjection, parseProjectionClasses } from './loadProjection';
import { projectionChart, type Projection } from './projectionChart';
import { sampleCharts } from './sampleCharts';

export const REPORT_FILE = 'report.html';

export interface ReportOptions {
  /** Where report.html goes: a file path, or an existing directory to put report.html in. Default: the run directory. */
  out?: string;
  png?: boolean;
  svg?: boolean;
  /** A run report's penultimate-layer projection: three classes by name or index, "a,b,c" (default: the three most confused). */
  classes?: string;
  /** Checked between charts: on Ctrl-C or SIGTERM, rendering stops and nothing is written. */
  signal?: AbortSignal;
}


export interface WrittenReport {
  html: string;
  /** The --svg/--png files, in chart order. */
  images: string[];
  /** Warnings of the chart renderer (none expected: one means a chart spec is off). */
  warnings: string[];
}

/**
 * Where the HTML and the images of a report go: images in "<report name>-charts/" beside the HTML. `out`
 * names a directory when it exists as one or ends in a slash (report.html goes in it, created if need be).
 */
export function reportPaths(defaultDir: string, out?: string): { html: string; imagesDir: string } {
  if (out !== undefined) nonEmptyPath('--out', out);
  let html = path.resolve(out ?? path.join(defaultDir, REPORT_FILE));
  if (out !== undefined && (/[/\\]$/.test(out) || (existsSync(html) && statSync(html).isDirectory()))) html = path.join(html, REPORT_FILE);
  const base = path.basename(html).replace(/\.html?$/i, '');
  return { html, imagesDir: path.join(path.dirname(html), `${base}-charts`) };
}

/** What is at `p` when it is not what a report may write over (a regular file, or a directory for `wanted: 'directory'`). */
function foreignKind(p: string, wanted: 'file' | 'directory'): string | null {
  let stat;
  try {
    stat = lstatSync(p);
  } catch {
    return null;
  }
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (wanted === 'file' ? stat.isFile() : stat.isDirectory()) return null;
  return stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : 'not a regular file';
}

function refuseForeign(p: string, wanted: 'file' | 'directory'): void {
  const kind = foreignKind(p, wanted);
  if (kind !== null) throw new CliError(`${p}: exists and is ${kind}; a report replaces only regular ${wanted === 'file' ? 'files' : 'directories'}, so choose another --out`, 2);
}

/**
 * Writes one file of a report. A target that exists and is not a regular file — a device (--out /dev/null
 * as root would replace the system's), a FIFO, a symlink, a directory — is refused, never replaced.
 */
export function writeOrFail(file: string, content: string | Uint8Array): void {
  refuseForeign(file, 'file');
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, content);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // a path through a file is the user's mistake (exit 2); a refused write is the system's (exit 1)
    if (code === 'ENOTDIR' || code === 'EEXIST') throw new CliError(`${file}: cannot write the report (ENOTDIR: a part of the path is a file, not a folder)`, 2);
    throw fileSystemError(error, 'write the report', file);
  }
}

/** Renders charts to SVG, in order, collecting the renderer's warnings. */
export async function renderCharts(charts: ReportChart[], signal?: AbortSignal): Promise<{ rendered: RenderedChart[]; warnings: string[] }> {
  const rendered: RenderedChart[] = [];
  const warnings: string[] = [];
  for (const chart of charts) {
    await checkpoint(signal);
    const { svg, warnings: chartWarnings } = await renderSvg(chart.spec);
    rendered.push({ chart, svg, ...(chart.raster ? { png: svgToPng(svg) } : {}) });
    warnings.push(...chartWarnings.map((w) => `chart ${chart.id}: ${w}`));
  }
  return { rendered, warnings };
}

/**
 * Writes the images asked for (--svg, --png), then the page: the last step of every report, run or sweep.
 * The PNGs are rasterised first, yielding between them, so a signal stops the report before anything is written.
 */
export async function writeReportFiles(defaultDir: string, rendered: RenderedChart[], page: string, options: ReportOptions): Promise<{ html: string; images: string[] }> {
  const { html, imagesDir } = reportPaths(defaultDir, options.out);
  refuseForeign(html, 'file');
  if (options.svg || options.png) refuseForeign(imagesDir, 'directory');
  const files: [string, string | Uint8Array][] = [];
  for (const { chart, svg, png } of rendered) {
    if (options.svg) files.push([path.join(imagesDir, `${chart.id}.svg`), svg]);
    if (options.png) {
      await checkpoint(options.signal);
      files.push([path.join(imagesDir, `${chart.id}.png`), png ?? svgToPng(svg)]);
    }
  }
  await checkpoint(options.signal);
  for (const [file, content] of files) writeOrFail(file, content);
  writeOrFail(html, page);
  return { html, images: files.map(([file]) => file) };
}

/**
 * Lets the event loop run (a signal's handler is a macrotask: awaiting promises alone would never let it
 * in), then stops if the signal came.
 */
async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await yieldToEventLoop();
  if (signal?.aborted) throw new RenderingInterrupted(signal.reason);
}

/** A run's report as it is rendered: its stored files, the charts, and why any per-sample chart is missing. */
export interface RenderedRunReport {
  input: RunReportInput;
  rendered: RenderedChart[];
  warnings: string[];
  /** Why the gallery, the scatter or the projection is missing, for the page. */
  sampleNotes: string[];
  projection: Projection | null;
}

/**
 * Renders every chart of a run's report: the stored files' charts, then the per-sample ones
 * (probabilities.bin, the test images) and the penultimate-layer projection (the final weights, the data).
 */
export async function renderRunCharts(runDir: string, options: Pick<ReportOptions, 'classes' | 'signal'> = {}): Promise<RenderedRunReport> {
  const input = loadRunForReport(runDir);
  const asked = options.classes === undefined ? undefined : parseProjectionClasses(options.classes, input.summary.dataset.classNames);
  const { layer, dataset, notes } = await loadSampleLayer(input, true);
  await checkpoint(options.signal);
  let projection: Projection | null = null;
  if (layer && dataset) {
    const loaded = await loadProjection(input, layer, dataset, asked);
    await checkpoint(options.signal);
    projection = loaded.projection;
    if (loaded.note) notes.push(loaded.note);
  }
  const charts = [...runCharts(input), ...sampleCharts(input.summary, layer), ...(projection ? [projectionChart(projection)] : [])];
  return { input, ...(await renderCharts(charts, options.signal)), sampleNotes: notes, projection };
}

/** Reads a completed run, renders its charts and writes report.html (and the images asked for). */
export async function writeRunReport(runDir: string, options: ReportOptions = {}): Promise<WrittenReport> {
  const { input, rendered, warnings, sampleNotes, projection } = await renderRunCharts(runDir, options);
  return { ...(await writeReportFiles(runDir, rendered, runReportHtml(input, rendered, { sampleNotes, projection }), options)), warnings };
}
