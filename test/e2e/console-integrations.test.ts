import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startTestBot, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage } from '../support/browser.js';

describe('integrations in the console (admins): address, key, set-up text, a test alert', () => {
  let bot: TestBot;
  let browser: Browser;
  beforeAll(async () => {
    [bot, browser] = await Promise.all([startTestBot(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  const signedIn = async (who: { role: 'admin' } | { role: 'member'; memberId: string }) => {
    const p = await openPage(browser);
    await p.page.goto(`${bot.url}/sign-in#t=${await bot.console.auth.issueLink(who)}`);
    await p.page.waitForURL(`${bot.url}/`);
    return p;
  };

  it('shows each integration with its key hidden until asked, the tool’s set-up text, and sends a test alert through ingestion', async () => {
    const { page, close } = await signedIn({ role: 'admin' });
    await page.locator('nav a', { hasText: 'Integrations' }).click();
    const am = page.locator('section[data-integration="prometheus"]');
    await am.waitFor();
    expect(await am.locator('code.key').textContent()).toBe(`••••${KEYS.alertmanager.slice(-4)}`);
    expect(await am.locator('pre.snippet').textContent()).toContain(`url: ${bot.url}/api/v1/webhooks/alertmanager`);
    expect(await am.locator('pre.snippet').textContent()).toContain('credentials: <key>');
    await am.locator('button', { hasText: 'Show key' }).click();
    expect(await am.locator('pre.snippet').textContent()).toContain(`credentials: ${KEYS.alertmanager}`);

    const rest = page.locator('section[data-integration="rest"]');
    expect(await rest.locator('dd.counts').textContent()).toBe('0 accepted, 0 rejected');
    expect(await rest.locator('dd.last-event').textContent()).toBe('none yet');
    await rest.locator('button[data-test="rest"]').click();
    const link = rest.locator('.status a');
    await link.waitFor();
    const ref = (await link.textContent())!.slice(1);
    const alert = (await bot.runtime.alerts.get(ref))!;
    expect(alert).toMatchObject({ integration: 'rest', team: 'ops', application: 'billing', title: 'Test alert from the dutybot console (rest)', severity: 'info' });
    const timeline = await bot.runtime.alerts.timeline(alert.id);
    expect(timeline[0]).toMatchObject({ kind: 'opened', actor: { kind: 'source', name: 'rest' } });
    await close();
  });

  it('shows what each integration sent: events accepted, requests rejected with the reason, and when', async () => {
    expect((await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'disk', title: 'Disk full on db-1' }, KEYS.api)).status).toBe(202);
    expect((await bot.post('/api/v1/events', { eventType: 'trigger', title: 'no key' }, KEYS.api)).status).toBe(400);
    const { page, close } = await signedIn({ role: 'admin' });
    await page.goto(`${bot.url}/integrations`);
    const rest = page.locator('section[data-integration="rest"]');
    await rest.waitFor();
    expect(await rest.locator('dd.counts').textContent()).toBe('1 accepted, 1 rejected');
    expect(await rest.locator('dd.last-event').textContent()).not.toBe('none yet');
    expect(await rest.locator('dd.last-rejected code').textContent()).toContain('dedupKey');
    expect(await page.locator('section[data-integration="zabbix"] dd.counts').textContent()).toBe('0 accepted, 0 rejected');
    await close();
  });

  it('a member gets no integrations page and no keys: 403', async () => {
    const { page, close } = await signedIn({ role: 'member', memberId: 'zhang' });
    expect(await page.locator('nav a', { hasText: 'Integrations' }).count()).toBe(0);
    const res = await page.goto(`${bot.url}/integrations`);
    expect(res?.status()).toBe(200);
    await page.locator('p.error', { hasText: 'Not allowed: only an admin may see integrations and their keys' }).waitFor();
    expect(await page.content()).not.toContain(KEYS.api);
    await close();
  });
});
