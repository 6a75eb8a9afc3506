import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage } from '../support/browser.js';

describe('the route tester in the console', () => {
  let bot: TestBot;
  let browser: Browser;
  beforeAll(async () => {
    const input = testConfigInput();
    input.teams!.push({ id: 'dba', name: 'DBA', members: ['li'] });
    input.routes = [
      { name: 'critical-databases', match: { severityAtLeast: 'critical', labels: ['service=~"mysql|postgres"'] }, teams: ['dba'] },
      { name: 'default', teams: ['ops'] },
    ];
    [bot, browser] = await Promise.all([startTestBot({ config: testConfig(input) }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  it('an Alertmanager payload pasted as the tool sends it: the rule that takes it and why each rule did or did not; nothing is stored', async () => {
    const { page, close } = await openPage(browser);
    await page.goto(`${bot.url}/sign-in#t=${await bot.console.auth.issueLink({ role: 'member', memberId: 'zhang' })}`);
    await page.waitForURL(`${bot.url}/`);
    await page.locator('nav a', { hasText: 'Route tester' }).click();
    await page.locator('select[name="integration"]').selectOption('prometheus');
    const payload = {
      status: 'firing',
      alerts: [{ status: 'firing', labels: { alertname: 'MySQLDown', severity: 'critical', service: 'mysql' }, annotations: { summary: 'MySQL is down on db-1' }, startsAt: '2026-11-27T08:59:00Z', fingerprint: 'fp-1' }],
    };
    await page.locator('textarea[name="payload"]').fill(JSON.stringify(payload));
    await page.locator('form.route-test button').click();
    const ev = page.locator('section.route-event');
    await ev.waitFor();
    expect(await ev.locator('h2').textContent()).toBe('MySQL is down on db-1');
    expect(await ev.locator('[data-role="teams"]').textContent()).toBe('dba');
    expect(await ev.locator('[data-role="matched"]').textContent()).toBe('critical-databases');
    expect(await ev.locator('tr[data-rule="critical-databases"]').getAttribute('data-matched')).toBe('true');
    expect(await ev.locator('tr[data-rule="critical-databases"] td').nth(2).textContent()).toMatch(/^matched/);

    await page.locator('textarea[name="payload"]').fill('{"status": ');
    await page.locator('form.route-test button').click();
    await page.locator('.route-result p.error', { hasText: 'Not JSON' }).waitFor();
    expect(await bot.runtime.alerts.list({ limit: 10 })).toEqual([]);
    await close();
  });
});
