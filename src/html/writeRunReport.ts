import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors';
import { writeFileAtomic } from '../store/atomicFile';
import { fileSystemError } from '../store/fileSystemError';
import type { RenderedChart } from './html';
import { loadRunForReport, type RunReportInput } from './loadRunForReport';
import { loadSampleLayer } from './loadSampleLayer';
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
}

export interface WrittenReport {
  html: string;
  /** The --svg/--png files, in chart order. */
  images: string[];
  /** Warnings of the chart renderer (none expected: one means a chart spec is off). */
  warnings: string[];
}

/** Where the HTML and the images of a report go: images in "<report name>-charts/" beside the HTML. */
export function reportPaths(defaultDir: string, out?: string): { html: string; imagesDir: string } {
  let html = path.resolve(out ?? path.join(defaultDir, REPORT_FILE));
  if (out !== undefined && existsSync(html) && statSync(html).isDirectory()) html = path.join(html, REPORT_FILE);
  const base = path.basename(html).replace(/\.html?$/i, '');
  return { html, imagesDir: path.join(path.dirname(html), `${base}-charts`) };
}

export function writeOrFail(file: string, content: string | Uint8Array): void {
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
export async function renderCharts(charts: ReportChart[]): Promise<{ rendered: RenderedChart[]; warnings: string[] }> {
  const rendered: RenderedChart[] = [];
  const warnings: string[] = [];
  for (const chart of charts) {
    const { svg, warnings: chartWarnings } = await renderSvg(chart.spec);
    rendered.push({ chart, svg, ...(chart.raster ? { png: svgToPng(svg) } : {}) });
    warnings.push(...chartWarnings.map((w) => `chart ${chart.id}: ${w}`));
  }
  return { rendered, warnings };
}

/** Writes the images asked for (--svg, --png), then the page: the last step of every report, run or sweep. */
export function writeReportFiles(defaultDir: string, rendered: RenderedChart[], page: string, options: ReportOptions): { html: string; images: string[] } {
  const { html, imagesDir } = reportPaths(defaultDir, options.out);
  const images: string[] = [];
  for (const { chart, svg, png } of rendered) {
    if (options.svg) {
      const file = path.join(imagesDir, `${chart.id}.svg`);
      writeOrFail(file, svg);
      images.push(file);
    }
    if (options.png) {
      const file = path.join(imagesDir, `${chart.id}.png`);
      writeOrFail(file, png ?? svgToPng(svg));
      images.push(file);
    }
  }
  writeOrFail(html, page);
  return { html, images };
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
export async function renderRunCharts(runDir: string, options: Pick<ReportOptions, 'classes'> = {}): Promise<RenderedRunReport> {
  const input = loadRunForReport(runDir);
  const asked = options.classes === undefined ? undefined : parseProjectionClasses(options.classes, input.summary.dataset.classNames);
  const { layer, dataset, notes } = await loadSampleLayer(input, true);
  let projection: Projection | null = null;
  if (layer && dataset) {
    const loaded = await loadProjection(input, layer, dataset, asked);
    projection = loaded.projection;
    if (loaded.note) notes.push(loaded.note);
  }
  const charts = [...runCharts(input), ...sampleCharts(input.summary, layer), ...(projection ? [projectionChart(projection)] : [])];
  return { input, ...(await renderCharts(charts)), sampleNotes: notes, projection };
}

/** Reads a completed run, renders its charts and writes report.html (and the images asked for). */
export async function writeRunReport(runDir: string, options: ReportOptions = {}): Promise<WrittenReport> {
  const { input, rendered, warnings, sampleNotes, projection } = await renderRunCharts(runDir, options);
  return { ...writeReportFiles(runDir, rendered, runReportHtml(input, rendered, { sampleNotes, projection }), options), warnings };
}
