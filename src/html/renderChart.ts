import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { useDejaVuTextMetrics } from './textMetrics';

/**
 * Vega-Lite → Vega → SVG in Node (no browser, no canvas: vega estimates text widths itself), and
 * SVG → PNG with resvg, whose binary ships inside its npm package.
 */

/** Charts carry their data inline; a loader that refuses everything keeps rendering free of file and network access. */
function refusingLoader(refused: string[]): vega.Loader {
  const loader = vega.loader();
  loader.load = async (uri: string) => {
    refused.push(uri);
    throw new Error(`report charts embed their data; refusing to load "${uri}"`);
  };
  return loader;
}

/**
 * A logger that keeps vega-lite's and vega's warnings instead of printing them: a warning means a spec
 * of ours is off, so the tests insist there are none and the command passes them on to stderr.
 */
function collectingLogger(warnings: string[], errors: string[]): vega.LoggerInterface {
  const logger: vega.LoggerInterface = {
    // level() reads the level, level(n) sets it; warnings are always kept
    level: ((n?: number) => (n === undefined ? vega.Warn : logger)) as unknown as vega.LoggerInterface['level'],
    error: (...args: readonly unknown[]) => (errors.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')), logger),
    warn: (...args: readonly unknown[]) => (warnings.push(args.map(String).join(' ')), logger),
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

export interface RenderedSvg {
  svg: string;
  warnings: string[];
}

/** A chart's SVG: a Vega-Lite spec rendered, or an SVG laid out by ls-bench itself (the gallery) as it is. */
export async function renderSvg(spec: TopLevelSpec | { svg: string }): Promise<RenderedSvg> {
  if ('svg' in spec) return { svg: spec.svg, warnings: [] };
  useDejaVuTextMetrics();
  const warnings: string[] = [];
  const errors: string[] = [];
  const refused: string[] = [];
  const logger = collectingLogger(warnings, errors);
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none', loader: refusingLoader(refused), logger });
  try {
    const svg = await view.toSVG();
    // vega only logs a failed data load and draws an empty chart; a report must not show one
    if (refused.length > 0) throw new Error(`chart rendering failed: refusing to load ${refused.join(', ')} (report charts embed their data)`);
    if (errors.length > 0) throw new Error(`chart rendering failed: ${errors.join('; ')}`);
    return { svg, warnings };
  } finally {
    view.finalize();
  }
}

/** PNG at twice the SVG's size (crisp on high-density screens and in papers), with the system's fonts. */
export function svgToPng(svg: string, zoom = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: zoom },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
