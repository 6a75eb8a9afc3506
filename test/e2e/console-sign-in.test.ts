import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startTestBot, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage } from '../support/browser.js';

describe('signing in to the web console in a real browser', () => {
  let bot: TestBot;
  let browser: Browser;
  beforeAll(async () => {
    [bot, browser] = await Promise.all([startTestBot(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  it('the admin link printed at start signs in, and works only once', async () => {
    const link = await bot.console.adminLink(bot.url);
    const first = await openPage(browser);
    await first.page.goto(link);
    await first.page.waitForURL(`${bot.url}/`);
    await first.page.locator('#who', { hasText: 'admin' }).waitFor();
    expect(await first.page.locator('h1').textContent()).toBe('Alerts');

    const second = await openPage(browser);
    await second.page.goto(link);
    await second.page.locator('h1', { hasText: 'This sign-in link did not work' }).waitFor();
    expect(await second.page.locator('p.error').textContent()).toMatch(/unknown, used or expired/);
    // The token left the address bar at once.
    expect(second.page.url()).toBe(`${bot.url}/sign-in`);
    expect(first.errors).toEqual([]);
    await Promise.all([first.close(), second.close()]);
  });

  it('without a session the console says how to sign in; signing out ends it', async () => {
    const p = await openPage(browser);
    await p.page.goto(`${bot.url}/`);
    await p.page.locator('p.notice', { hasText: 'You are not signed in' }).waitFor();
    await p.page.goto(await bot.console.adminLink(bot.url));
    await p.page.locator('#sign-out').click();
    await p.page.locator('p.notice', { hasText: 'You are not signed in' }).waitFor();
    const cookies = await p.page.context().cookies();
    expect(cookies.filter((c) => c.name === 'dutybot_session')).toEqual([]);
    await p.close();
  });

  it('follows the browser’s language, switches with the button, and shows times in the viewer’s zone', async () => {
    const opened = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'lang', title: 'Disk full', severity: 'warning' }, KEYS.api);
    const { shortId } = (await opened.json()) as { shortId: number };
    // The fake clock opened it at 2026-11-27 09:00 UTC: 17:00 in Shanghai, 04:00 in New York.
    const zh = await openPage(browser, { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    await zh.page.goto(await bot.console.adminLink(bot.url));
    await zh.page.locator('h1', { hasText: '告警' }).waitFor();
    const row = zh.page.locator(`tr[data-ref="${shortId}"]`);
    expect(await row.locator('.state').textContent()).toBe('待认领');
    expect(await row.locator('time').textContent()).toMatch(/2026\/11\/27 17:00:00/);
    await zh.page.locator('#lang', { hasText: 'English' }).click();
    await zh.page.locator('h1', { hasText: 'Alerts' }).waitFor();
    expect(await zh.page.locator(`tr[data-ref="${shortId}"] .state`).textContent()).toBe('Open');
    expect(await zh.page.evaluate(() => document.documentElement.lang)).toBe('en');

    const ny = await openPage(browser, { locale: 'en-US', timezoneId: 'America/New_York' });
    await ny.page.goto(await bot.console.adminLink(bot.url));
    expect(await ny.page.locator(`tr[data-ref="${shortId}"] time`).textContent()).toMatch(/27\/11\/2026, 04:00:00/);
    // The alert's page adds the team's time where the viewer's zone differs (the config's Asia/Shanghai).
    await ny.page.goto(`${bot.url}/alerts/${shortId}`);
    expect(await ny.page.locator('dl.fields time').first().textContent()).toBe('27/11/2026, 04:00:00 (27/11/2026, 17:00:00 Asia/Shanghai)');
    await Promise.all([zh.close(), ny.close()]);
  });

  it('an unknown page is a 404 that says so', async () => {
    const p = await openPage(browser);
    await p.page.goto(await bot.console.adminLink(bot.url));
    await p.page.waitForURL(`${bot.url}/`);
    const res = await p.page.goto(`${bot.url}/no-such-page`);
    expect(res?.status()).toBe(404);
    await p.page.locator('h1', { hasText: 'Page not found' }).waitFor();
    const noAlert = await p.page.goto(`${bot.url}/alerts/99999`);
    expect(noAlert?.status()).toBe(404);
    await p.page.locator('h1', { hasText: 'Page not found' }).waitFor();
    await p.close();
  });
});
