import { pngDataUrl } from './pngImage';
import type { ReportChart } from './runCharts';

/**
 * The page around the charts: one self-contained HTML file, the charts inline as SVG, the styles
 * inline, no script and nothing fetched, so it opens offline, in a mail client or a CI artifact viewer.
 * Generic over sections so that a run and a sweep report share it.
 */

export interface RenderedChart {
  chart: ReportChart;
  svg: string;
  /** The PNG of a raster chart (ReportChart.raster), at twice the SVG's size: what the page embeds. */
  png?: Buffer;
}

export interface ReportSection {
  id: string;
  heading: string;
  /** Trusted HTML built with the helpers below (every value in it escaped). */
  html: string;
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** One chart: its SVG inline (vega's own output), a caption saying how to read it. */
export function chartFigure(rendered: RenderedChart): string {
  const { chart, svg } = rendered;
  // the XML prolog, if any, is not allowed inside HTML
  const inline = svg.replace(/^<\?xml[^>]*>\s*/, '');
  // the figure is as wide as its chart, so the caption wraps under the chart and charts sit side by side
  const width = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(inline)?.[1];
  const height = /^<svg[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(inline)?.[1];
  const style = width ? ` style="width:${width}px"` : '';
  // a cloud of thousands of points is far smaller as an image than as one SVG element per point
  const picture = rendered.png ? `<img src="${pngDataUrl(rendered.png)}" width="${width}" height="${height}" alt="${escapeHtml(chart.title)}">` : inline;
  return `<figure class="chart" id="chart-${escapeHtml(chart.id)}" data-chart="${escapeHtml(chart.id)}"${style} role="img" aria-label="${escapeHtml(chart.title)}">
${picture}
<figcaption>${escapeHtml(chart.caption)}</figcaption>
</figure>`;
}

/** Charts side by side where the page is wide enough, stacked where it is not. */
export function chartRow(charts: RenderedChart[]): string {
  return `<div class="chart-row">\n${charts.map(chartFigure).join('\n')}\n</div>`;
}

export interface TableCell {
  text: string;
  /** Numbers align right; the first column is a heading. */
  numeric?: boolean;
  colSpan?: number;
  className?: string;
}

type Cell = string | TableCell;

function cellHtml(tag: 'td' | 'th', cell: Cell): string {
  const c = typeof cell === 'string' ? { text: cell } : cell;
  const classes = [c.numeric ? 'num' : '', c.className ?? ''].filter(Boolean).join(' ');
  return `<${tag}${classes ? ` class="${classes}"` : ''}${c.colSpan ? ` colspan="${c.colSpan}"` : ''}>${escapeHtml(c.text)}</${tag}>`;
}

export function htmlTable(options: { head: Cell[][]; rows: Cell[][]; caption?: string; className?: string }): string {
  const head = options.head.map((r) => `<tr>${r.map((c) => cellHtml('th', c)).join('')}</tr>`).join('\n');
  const rows = options.rows.map((r) => `<tr>${r.map((c, i) => cellHtml(i === 0 ? 'th' : 'td', c)).join('')}</tr>`).join('\n');
  return `<table${options.className ? ` class="${options.className}"` : ''}>${options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : ''}
<thead>${head}</thead>
<tbody>
${rows}
</tbody>
</table>`;
}

/** A two-column list of facts: the header of a run. */
export function factList(facts: [string, string][]): string {
  return `<dl class="facts">\n${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('\n')}\n</dl>`;
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1a1a1a; background: #fff; margin: 0; line-height: 1.45; }
main { max-width: 1320px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
.subtitle { color: #555; margin: 0 0 16px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 18px; margin: 0; font-size: 0.92rem; }
dl.facts dt { color: #555; }
dl.facts dd { margin: 0; }
nav { font-size: 0.9rem; margin: 14px 0 0; }
nav a { margin-right: 14px; color: #0059a0; }
.chart-row { display: flex; flex-wrap: wrap; gap: 24px 36px; align-items: flex-start; margin: 0 0 28px; }
figure.chart { margin: 0; max-width: 100%; }
figure.chart svg, figure.chart img { max-width: 100%; height: auto; display: block; }
figcaption { color: #555; font-size: 0.85rem; margin-top: 4px; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 6px 0 14px; }
caption { text-align: left; color: #555; font-size: 0.85rem; padding-bottom: 4px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e4e4e4; text-align: left; }
thead th { border-bottom: 2px solid #bbb; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { background: #f5f7fa; border-left: 4px solid #0072B2; padding: 10px 14px; margin: 8px 0; }
.verdict p { margin: 4px 0; }
.verdict ul { margin: 4px 0; padding-left: 22px; }
p.key { color: #555; font-size: 0.85rem; margin: 4px 0 10px; }
td.holds { color: #1b7f3b; font-weight: 600; }
td.fails { color: #b3261e; font-weight: 600; }
.warning { background: #fff6e5; border-left: 4px solid #E69F00; padding: 8px 14px; margin: 8px 0; }
.note { color: #444; border-left: 4px solid #bbb; padding: 4px 12px; margin: 8px 0; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 6px; vertical-align: -0.05em; }
footer { color: #777; font-size: 0.8rem; margin-top: 40px; }
`;

export function reportPage(options: { title: string; subtitle: string; headerHtml: string; sections: ReportSection[]; footer: string }): string {
  const nav = options.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.heading)}</a>`).join('');
  const sections = options.sections.map((s) => `<section id="${escapeHtml(s.id)}">\n<h2>${escapeHtml(s.heading)}</h2>\n${s.html}\n</section>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(options.title)}</h1>
<p class="subtitle">${escapeHtml(options.subtitle)}</p>
${options.headerHtml}
<nav>${nav}</nav>
</header>
${sections}
<footer>${escapeHtml(options.footer)}</footer>
</main>
</body>
</html>
`;
}
