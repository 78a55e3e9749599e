import type { TopLevelSpec } from 'vega-lite';

/** One chart of a report: what renderChart.ts draws and html.ts puts on the page. */
export interface ReportChart {
  /** Unique within a report; the HTML anchor and the file name of --svg/--png. */
  id: string;
  title: string;
  /** One or two sentences under the chart saying how to read it. */
  caption: string;
  /** A Vega-Lite spec (rendered by renderChart.ts), or an SVG ls-bench laid out itself (the gallery). */
  spec: TopLevelSpec | { svg: string };
  /** Embedded in the page as a PNG rather than inline SVG: clouds of thousands of points. */
  raster?: boolean;
}
