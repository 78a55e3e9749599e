import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';

/**
 * Headless Chromium for the report tests: Debian's `chromium` package (CI's .ci/run installs it), driven
 * by playwright-core, which downloads nothing. A fresh profile, and every background service that could
 * reach the network switched off, so that any request the test sees comes from the page.
 */
export const CHROMIUM_PATH = process.env.LS_BENCH_CHROMIUM ?? '/usr/bin/chromium';
export const SKIP_BROWSER_ENV = 'LS_BENCH_SKIP_BROWSER';

/** Why the browser tests are skipped, or null to run them. Only the explicit opt-out skips: a missing browser fails. */
export function browserSkipReason(): string | null {
  return process.env[SKIP_BROWSER_ENV] === '1' ? `${SKIP_BROWSER_ENV}=1: headless-browser checks skipped` : null;
}

export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} not found: the report's browser test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it), or LS_BENCH_CHROMIUM=<path>; set ${SKIP_BROWSER_ENV}=1 to skip it on purpose`,
    );
  }
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'ls-bench-chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1360, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Loads a report page and checks what every report must do in a browser: load, log no console error or
 * warning, and make no request but the page itself (the file is self-contained).
 */
export async function loadReportPage(page: Page, html: string): Promise<void> {
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  page.on('request', (req) => requests.push(req.url()));
  page.on('requestfailed', (req) => consoleErrors.push(`request failed: ${req.url()}`));
  const url = pathToFileURL(html).href;
  const response = await page.goto(url, { waitUntil: 'load' });
  assert.ok(response?.ok(), 'the page loaded');
  await page.waitForLoadState('networkidle');
  assert.deepEqual(consoleErrors, [], 'no console errors or warnings');
  assert.deepEqual(requests, [url], 'the only request is the page itself');
}

/**
 * Every chart figure on the page: its id, drawn size, number of data marks and caption. A chart embedded as
 * a PNG (a cloud of points) counts as drawn when its image decoded at its full resolution (`decoded`); the
 * gallery's own SVG counts its cards as marks.
 */
export function chartsOnPage(page: Page): Promise<{ id: string | null; width: number; height: number; marks: number; caption: string; decoded: boolean | null }[]> {
  return page.$$eval('figure.chart', (figures) =>
    figures.map((f) => {
      const svg = f.querySelector('svg');
      const img = f.querySelector('img');
      const box = (svg ?? img)?.getBoundingClientRect();
      return {
        id: f.getAttribute('data-chart'),
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        // data marks (bars, lines, points, rules, count labels), not axes or legends; the gallery's cards
        marks: svg ? svg.querySelectorAll('g.role-mark > *, g.gallery-card').length : 0,
        caption: f.querySelector('figcaption')?.textContent ?? '',
        decoded: img ? img.complete && img.naturalWidth >= img.width && img.naturalHeight >= img.height && img.naturalWidth > 0 : null,
      };
    }),
  );
}

/** The width of the page's content: <main> without its padding (what a chart can fill). */
export function contentWidth(page: Page): Promise<number> {
  return page.$eval('main', (m) => {
    const style = m.ownerDocument.defaultView!.getComputedStyle(m);
    return m.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  });
}
