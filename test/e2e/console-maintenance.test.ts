import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startTestBot, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage } from '../support/browser.js';

describe('maintenance windows in the console: preview, open, end', () => {
  let bot: TestBot;
  let browser: Browser;
  beforeAll(async () => {
    [bot, browser] = await Promise.all([startTestBot(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  const openAlert = async (key: string, host: string) => {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: key, title: `Disk full on ${host}`, severity: 'warning', host }, KEYS.api);
    return (await res.json()) as { alertId: string; shortId: number };
  };
  const signedIn = async (who: { role: 'admin' } | { role: 'member'; memberId: string }) => {
    const p = await openPage(browser);
    await p.page.goto(`${bot.url}/sign-in#t=${await bot.console.auth.issueLink(who)}`);
    await p.page.waitForURL(`${bot.url}/`);
    await p.page.goto(`${bot.url}/maintenance`);
    await p.page.locator('h1', { hasText: 'Maintenance windows' }).waitFor();
    return p;
  };

  it('an admin sees which open alerts a window would hold as they type, opens it, and ends it early; the trail says via console', async () => {
    const web1 = await openAlert('m1', 'web-1');
    const web2 = await openAlert('m2', 'web-2');
    const { page, close } = await signedIn({ role: 'admin' });
    const matchers = page.locator('form.maint input[name="matchers"]');
    await matchers.fill('host');
    await page.locator('.preview .error', { hasText: 'is not a matcher like host=db-1' }).waitFor();
    await matchers.fill('host=web-1');
    await page.locator(`.preview li[data-ref="${web1.shortId}"]`).waitFor();
    expect(await page.locator('.preview li').count()).toBe(1);
    expect(await page.locator('.preview p').textContent()).toBe('It would hold 1 open alert:');

    await page.locator('form.maint input[name="reason"]').fill('patching web-1');
    await page.locator('form.maint button').click();
    const row = page.locator('table.windows tr[data-state="active"]');
    await row.waitFor();
    const id = (await row.getAttribute('data-window'))!;
    expect(await row.textContent()).toContain('patching web-1');
    expect((await bot.runtime.alerts.get(web1.alertId))?.maintenance?.windowId).toBe(id);
    expect((await bot.runtime.alerts.get(web2.alertId))?.maintenance).toBeUndefined();

    await page.locator(`button[data-end="${id}"]`).click();
    await page.locator(`tr[data-window="${id}"][data-state="ended"]`).waitFor();
    const doc = (await bot.runtime.maintenance!.get(id))!;
    expect(doc.history?.map((c) => [c.action, c.by.name, c.by.via])).toEqual([
      ['created', 'admin', 'console'],
      ['ended', 'admin', 'console'],
    ]);
    await close();
  });

  it('a member sees the windows but may not open one (403 with the reason)', async () => {
    const { page, close } = await signedIn({ role: 'member', memberId: 'zhang' });
    expect(await page.locator('form.maint').count()).toBe(0);
    const answer = await page.evaluate(async () => {
      const me = await (await fetch('/console/api/me')).json();
      const r = await fetch('/console/api/maintenance', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.viewer.csrf }, body: JSON.stringify({ all: true, duration: '1h' }) });
      return [r.status, (await r.json()).error];
    });
    expect(answer).toEqual([403, 'only an admin may open or end maintenance windows from the console']);
    await close();
  });
});
