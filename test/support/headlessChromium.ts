/**
 * Debian's Chromium, headless, for the page's end-to-end tests (test/e2e/web.spec.ts), driven
 * through playwright-core (a devDependency of the workspace root).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export type { Browser, Locator, Page, Response } from 'playwright-core';

/** Debian's `chromium` package (`apt-get install -y chromium`). */
const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `${CHROMIUM_PATH} not found: install Debian's Chromium (apt-get install -y chromium)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
}
