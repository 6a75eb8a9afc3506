import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's chromium: playwright-core downloads no browser of its own (air-gapped CI). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the console's browser tests need chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM });
}

export interface ConsolePage {
  page: Page;
  /** Every dialog (alert/confirm) the page tried to open: an XSS would show up here. */
  dialogs: string[];
  /** Errors thrown in the page, and CSP violations reported on the console. */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh browser profile (no cookies) in the given language and time zone. */
export async function openPage(browser: Browser, opts: BrowserContextOptions = {}): Promise<ConsolePage> {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/London', ...opts });
  // Shorter than the test's own timeout, so that a wait that fails says what it waited for.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
  });
  return { page, dialogs, errors, close: () => context.close() };
}
