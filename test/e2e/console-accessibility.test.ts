import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage } from '../support/browser.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2 A and AA rules on the page as drawn; each violation as `rule: element`. */
async function violations(page: Page): Promise<string[]> {
  // Evaluated by the test driver, not loaded by the page: the console's CSP stays as strict as ever.
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

function config(): ConfigInput {
  const input = testConfigInput();
  input.teams![0] = { ...input.teams![0]!, schedule: 'primary' };
  input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }] }];
  input.heartbeats = [{ name: 'backup', team: 'ops', interval: '1m', grace: '30s' }];
  return input;
}

describe('every console page passes an accessibility check (axe-core, WCAG 2 AA), in both languages', () => {
  let bot: TestBot;
  let browser: Browser;
  let shortId: number;
  beforeAll(async () => {
    [bot, browser] = await Promise.all([startTestBot({ config: testConfig(config()) }), launchBrowser()]);
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'a11y', title: 'Disk almost full on web-1', severity: 'critical', host: 'web-1', labels: { env: 'prod' } }, KEYS.api);
    ({ shortId } = (await res.json()) as { shortId: number });
    // A cover, so that the on-call page draws its list of covers with a "Remove" button.
    const now = bot.clock.now();
    await bot.overrides.add('primary', { member: 'li', from: now, to: new Date(now.getTime() + 2 * 3_600_000), by: 'zhang' }, now);
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  for (const locale of ['en-US', 'zh-CN']) {
    it(`in ${locale}`, async () => {
      // The analytics period ends now, exclusive: the alert is in it a minute later.
      await bot.analytics.recorder.settled();
      bot.clock.advance(60_000);
      const { page, close } = await openPage(browser, { locale });
      await page.goto(`${bot.url}/`);
      await page.locator('form.request-link').waitFor();
      expect(await violations(page), 'not signed in').toEqual([]);

      await page.goto(`${bot.url}/sign-in#t=${await bot.console.auth.issueLink({ role: 'admin' })}`);
      await page.waitForURL(`${bot.url}/`);
      const pages: Array<[string, string]> = [
        ['/', `tr[data-ref="${shortId}"]`],
        [`/alerts/${shortId}`, 'ol.timeline li'],
        ['/oncall', 'table.covers button'],
        ['/status', 'table.checks'],
        ['/maintenance', 'form.maint'],
        ['/heartbeats', 'table.heartbeats'],
        ['/integrations', 'section.integration'],
        ['/routes', 'form.route-test'],
        ['/analytics', 'table.figures'],
        ['/analytics?by=member&period=30d', 'table.noisiest'],
        ['/config', 'pre.config'],
        ['/no-such-page', 'h1'],
        ['/sign-in?oidc=unknown-member&who=someone%40example.com', 'p.error'],
      ];
      for (const [path, ready] of pages) {
        await page.goto(`${bot.url}${path}`);
        await page.locator(ready).first().waitFor();
        expect(await violations(page), path).toEqual([]);
      }
      // The analytics charts' table of numbers, opened.
      await page.goto(`${bot.url}/analytics`);
      await page.locator('details.per-day summary').click();
      await page.locator('table.days').waitFor();
      expect(await violations(page), '/analytics, per-day table open').toEqual([]);
      await close();
    });
  }
});
