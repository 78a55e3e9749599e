import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { runCharts } from '../../src/html/runCharts';
import { loadRunForReport } from '../../src/html/loadRunForReport';
import { runCli } from '../helpers/cli';
import { browserSkipReason, chartsOnPage, contentWidth, launchChromium, loadReportPage } from '../helpers/browser';
import { trainSmallRun } from '../helpers/smallRun';
import { PROJECT_ROOT, tempDir } from '../helpers/tempDir';

const runsRoot = tempDir('ls-bench-report-browser-');

/** The per-sample charts of an image run's report. */
const SAMPLE_CHARTS = ['gallery', 'confidence-scatter', 'projection'];


/**
 * Screenshots go to test-artifacts/ in the project (git-ignored), overwritten on every run: a person can
 * look at the latest one, and no temporary folder is left behind.
 */
function screenshotPath(name: string): string {
  const dir = path.join(PROJECT_ROOT, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/** The box from the top of the first section to the bottom of the last, for a screenshot of them. */
async function sectionsBox(page: Page, ids: string[]): Promise<{ x: number; y: number; width: number; height: number }> {
  const boxes = await Promise.all(ids.map((id) => page.locator(`section#${id}`).boundingBox()));
  const [first, last] = [boxes[0]!, boxes[boxes.length - 1]!];
  return { x: first.x, y: first.y, width: first.width, height: last.y + last.height - first.y };
}

/** Each chart at a readable size, with its data drawn (marks in an SVG, or its PNG decoded in full) and a caption. */
function assertDrawn(charts: Awaited<ReturnType<typeof chartsOnPage>>): void {
  for (const c of charts) {
    assert.ok(c.width > 200 && c.height > 150, `${c.id} is drawn at a readable size (${c.width}×${c.height})`);
    if (c.decoded === null) assert.ok(c.marks > 3, `${c.id} has data marks (${c.marks})`);
    else assert.ok(c.decoded, `${c.id}: its PNG decoded at full resolution`);
    assert.ok(c.caption.length > 20, `${c.id} has a caption`);
  }
}

test('the report of a real run opens in headless Chromium: no console errors, no requests, every chart drawn; screenshot saved', { timeout: 180_000 }, async (t) => {
  const skip = browserSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const small = await trainSmallRun(runsRoot);
  const r = await runCli(['report', small.dir]);
  assert.equal(r.code, 0, r.stderr);
  const html = path.join(small.dir, 'report.html');
  // the synthetic data is not images: no gallery, but the scatter of every test sample and the projection
  const expectedCharts = [...runCharts(loadRunForReport(small.dir)).map((c) => c.id), 'confidence-scatter', 'projection'];

  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await loadReportPage(page, html);
    const charts = await chartsOnPage(page);
    assert.deepEqual(charts.map((c) => c.id), expectedCharts, 'every chart, in order');
    assertDrawn(charts);
    // the charts use the page: the row-wide ones nearly all of it, the side-by-side ones together
    const content = await contentWidth(page);
    for (const id of ['curves', 'confidence']) {
      const width = charts.find((c) => c.id === id)!.width;
      assert.ok(width >= 0.85 * content, `${id}: ${Math.round(width)} px of the page's ${Math.round(content)} px`);
    }
    const reliability = charts.filter((c) => c.id!.startsWith('reliability-')).slice(0, 2);
    assert.ok(reliability.reduce((s, c) => s + c.width, 0) >= 0.75 * content, 'two reliability diagrams side by side fill the row');
    assert.equal(await page.locator('script').count(), 0, 'no script needed to display');
    const body = await page.innerText('body');
    for (const heading of ['Verdict', 'Training curves', 'Calibration and confidence', 'Confusion matrices', 'Per class', 'Samples']) assert.ok(body.includes(heading), heading);

    // kept after the test, for a person to look at
    const screenshot = screenshotPath('report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    const png = readFileSync(screenshot);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(png.readUInt32BE(20) > 2000, 'a full-page screenshot, taller than one screen');
    t.diagnostic(`screenshot of the report: ${screenshot}`);
  } finally {
    await browser.close();
  }
});

const digitsRunsRoot = tempDir('ls-bench-digits-report-browser-');

test('the report of an image run shows the gallery, the scatter and the projection in headless Chromium: no console errors, no requests; screenshot saved', { timeout: 180_000 }, async (t) => {
  const skip = browserSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const train = await runCli(['train', '--dataset', 'digits', '--epochs', '3', '--hidden', '32', '--runs-dir', digitsRunsRoot, '--report', '--quiet']);
  assert.equal(train.code, 0, train.stderr);
  const [id] = readdirSync(digitsRunsRoot);
  const html = path.join(digitsRunsRoot, id!, 'report.html');

  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await loadReportPage(page, html);
    const charts = await chartsOnPage(page);
    for (const chartId of SAMPLE_CHARTS) assert.ok(charts.some((c) => c.id === chartId), `${chartId} is on the page`);
    assertDrawn(charts);
    const gallery = charts.find((c) => c.id === 'gallery')!;
    // drop, rise, discordant and each arm's confident mistakes: up to six cards a row
    assert.ok(gallery.marks >= 4 * 3 && gallery.marks <= 5 * 6, `the gallery's cards (${gallery.marks})`);
    const images = await page.$$eval('figure[data-chart="gallery"] svg image', (els) => els.map((e) => e.getAttribute('href') ?? ''));
    assert.equal(images.length, gallery.marks, 'one image per card');
    for (const href of images) assert.match(href, /^data:image\/png;base64,/);
    const body = await page.innerText('body');
    for (const heading of ['Samples', 'Penultimate layer', 'Mean logit gap']) assert.ok(body.includes(heading), heading);

    const screenshot = screenshotPath('report-samples.png');
    await page.screenshot({ path: screenshot, fullPage: true, clip: await sectionsBox(page, ['samples', 'projection']) });
    assert.equal(readFileSync(screenshot).subarray(1, 4).toString('latin1'), 'PNG');
    t.diagnostic(`screenshot of the samples section: ${screenshot}`);
  } finally {
    await browser.close();
  }
});

const sweepRunsRoot = tempDir('ls-bench-sweep-report-browser-');

test('the report of a real sweep opens in headless Chromium: no console errors, no requests, both charts drawn; screenshot saved', { timeout: 180_000 }, async (t) => {
  const skip = browserSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const tiny = ['--samples', '240', '--features', '6', '--hidden', '12', '--epochs', '2', '--batch-size', '32', '--learning-rate', '0.01'];
  const r = await runCli(['sweep', '--epsilon', '0,0.1,0.2', '--seeds', '0-2', '--jobs', '2', '--runs-dir', sweepRunsRoot, ...tiny, '--report', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const html = path.join((JSON.parse(r.stdout) as { sweepDir: string }).sweepDir, 'report.html');

  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await loadReportPage(page, html);
    const charts = await chartsOnPage(page);
    assert.deepEqual(charts.map((c) => c.id), ['sweep-metrics', 'sweep-differences']);
    const content = await contentWidth(page);
    for (const c of charts) {
      assert.ok(c.width >= 0.85 * content, `${c.id} uses the page: ${Math.round(c.width)} px of ${Math.round(content)} px`);
      assert.ok(c.width > 600 && c.height > 150, `${c.id} is drawn at a readable size (${c.width}×${c.height})`);
      // per panel: error bars and points for each arm, four panels
      assert.ok(c.marks >= 4 * 4, `${c.id} has data marks (${c.marks})`);
    }
    const body = await page.innerText('body');
    for (const heading of ['Verdict', 'Findings', 'Metrics against ε', 'Paired differences to the hard arm', 'McNemar per seed']) assert.ok(body.includes(heading), heading);
    assert.equal(await page.locator('table').count(), 3, 'metrics, differences and McNemar tables');

    const screenshot = screenshotPath('sweep-report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.equal(readFileSync(screenshot).subarray(1, 4).toString('latin1'), 'PNG');
    t.diagnostic(`screenshot of the sweep report: ${screenshot}`);
  } finally {
    await browser.close();
  }
});
