/**
 * For the page's end-to-end tests only (nothing in the service imports it): starts Debian's
 * Chromium headless through playwright-core, which is a devDependency of this package. The
 * tests import it from here because the workspace root does not depend on playwright-core.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export type { Browser, BrowserContext, CDPSession, Locator, Page, Response } from 'playwright-core';

/** Debian's `chromium` package (`apt-get install -y chromium`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
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
