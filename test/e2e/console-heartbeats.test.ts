import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage } from '../support/browser.js';

describe('heartbeats in the console: state, last ping, pause', () => {
  let bot: TestBot;
  let browser: Browser;
  beforeAll(async () => {
    const input = testConfigInput();
    input.heartbeats = [
      { name: 'backup', team: 'ops', interval: '1m', grace: '30s' },
      { name: 'billing-cron', team: 'biz', interval: '1h', grace: '5m' },
    ];
    [bot, browser] = await Promise.all([startTestBot({ config: testConfig(input) }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  it('a member sees every heartbeat with its last ping, and pauses one of their team’s', async () => {
    expect((await bot.post('/api/v1/heartbeats/backup/ping', {}, KEYS.api)).status).toBe(200);
    const { page, close } = await openPage(browser, { timezoneId: 'UTC' });
    await page.goto(`${bot.url}/sign-in#t=${await bot.console.auth.issueLink({ role: 'member', memberId: 'zhang' })}`);
    await page.waitForURL(`${bot.url}/`);
    await page.locator('nav a', { hasText: 'Heartbeats' }).click();
    const backup = page.locator('tr[data-heartbeat="backup"]');
    await backup.waitFor();
    expect(await backup.getAttribute('data-state')).toBe('up');
    // The fake clock's now: 2026-11-27 09:00 UTC.
    expect(await backup.locator('td').nth(3).textContent()).toBe('27/11/2026, 09:00:00');
    // 王五's team's heartbeat: shown, but no pause for 张三.
    expect(await page.locator('tr[data-heartbeat="billing-cron"] form').count()).toBe(0);

    await backup.locator('input[name="duration"]').fill('2h');
    await backup.locator('button').click();
    await page.locator('tr[data-heartbeat="backup"][data-state="paused"]', { hasText: 'until 27/11/2026, 11:00:00 (张三)' }).waitFor();
    expect(bot.runtime.heartbeats!.list().find((r) => r.spec.name === 'backup')?.doc?.pausedBy).toBe('张三');

    await backup.locator('input[name="duration"]').fill('30 days');
    await backup.locator('button').click();
    await page.locator('[data-role="hb-status"]', { hasText: 'a duration from 1 min to 7 days' }).waitFor();
    await close();
  });
});
