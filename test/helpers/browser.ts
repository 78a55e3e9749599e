import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';

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
