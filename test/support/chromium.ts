/**
 * Debian's Chromium for the browser tests (test/browser/), driven with
 * playwright-core, which cannot download a browser here: .ci/run installs
 * /usr/bin/chromium. Without it a browser test fails, it does not skip.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Chromium headless, with nothing of its own on the network; undefined when it is not installed (each test then fails, naming it). */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  return chromium.launch({
    executablePath: CHROMIUM,
    // Bounded only against a hang: a loaded machine is slow, not wrong.
    timeout: 600_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
