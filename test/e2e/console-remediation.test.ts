import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionRunBodyV1 } from '../../src/notify/webhooks/body.js';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage, type ConsolePage } from '../support/browser.js';

describe('remediation actions from an alert’s page in the console', () => {
  const remediator = new FakeWebhookReceiver('remediation-secret-012345');
  let bot: TestBot;
  let browser: Browser;
  const pages: ConsolePage[] = [];

  beforeAll(async () => {
    await remediator.start();
    const input = testConfigInput();
    input.actions = [
      { name: 'restart-nginx', label: 'Restart nginx on {host}', labelZh: '重启 {host} 的 nginx', url: `${remediator.origin}/restart`, secret: remediator.secret, match: { title: 'nginx' }, members: ['zhang'], confirm: true },
      { name: 'failover', label: 'Fail over', url: `${remediator.origin}/failover`, secret: remediator.secret, match: { title: 'nginx' }, teams: ['ops'], approval: 2 },
    ];
    [bot, browser] = await Promise.all([startTestBot({ config: testConfig(input), outboxIntervalMs: false }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
    await remediator.close();
  });

  const openAlert = async (key: string) => {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: key, title: 'nginx down on web-03', severity: 'critical', host: 'web-03' }, KEYS.api);
    return (await res.json()) as { alertId: string; shortId: number };
  };
  const onAlertPage = async (memberId: string, shortId: number) => {
    const p = await openPage(browser);
    pages.push(p);
    await p.page.goto(`${bot.url}/sign-in#t=${await bot.console.auth.issueLink({ role: 'member', memberId })}`);
    await p.page.waitForURL(`${bot.url}/`);
    await p.page.goto(`${bot.url}/alerts/${shortId}`);
    await p.page.locator('form[data-run]').first().waitFor();
    return p.page;
  };

  it('an action that asks for confirmation runs once confirmed: one signed POST by the member via console, its result on the timeline', async () => {
    remediator.reply({ status: 200, body: { restarted: true } });
    const { alertId, shortId } = await openAlert('nginx-1');
    const page = await onAlertPage('zhang', shortId);
    const form = page.locator('form[data-run="restart-nginx"]');
    expect(await form.locator('strong').textContent()).toBe('Restart nginx on web-03');
    await form.locator('button').click();
    await page.locator('[data-role="run-status"]', { hasText: 'asks for a confirmation' }).waitFor();
    expect(remediator.requests).toHaveLength(0);

    await form.locator('input[name="confirmed"]').check();
    await form.locator('button').click();
    await page.locator('li[data-kind="note"][data-via="console"]', { hasText: 'ran action "restart-nginx": http 200' }).waitFor();
    expect(remediator.requests).toHaveLength(1);
    expect(remediator.requests[0]!.signatureOk).toBe(true);
    expect((remediator.received[0]!.body as unknown as ActionRunBodyV1).by).toEqual({ memberId: 'zhang', name: '张三', via: 'console' });
    expect((await bot.runtime.alerts.timeline(alertId)).filter((e) => e.actor.via === 'console').map((e) => e.actor.name)).toEqual(['张三']);
  });

  it('someone the action does not allow cannot run it; an action needing two approvals runs at the second', async () => {
    remediator.reply({ status: 202, body: { failover: 'started' } });
    const before = remediator.requests.length;
    const { shortId } = await openAlert('nginx-2');
    const li = await onAlertPage('li', shortId);
    expect(await li.locator('form[data-run="restart-nginx"] button').isDisabled()).toBe(true);

    await li.locator('form[data-run="failover"] button').click();
    await li.locator('[data-role="run-status"]', { hasText: 'Approval recorded (1/2)' }).waitFor();
    expect(remediator.requests.length).toBe(before);

    const zhang = await onAlertPage('zhang', shortId);
    expect(await zhang.locator('form[data-run="failover"] .note').textContent()).toBe(' (1/2 approvals: 李四)');
    await zhang.locator('form[data-run="failover"] button').click();
    await zhang.locator('li[data-kind="note"][data-via="console"]', { hasText: 'ran action "failover": http 202' }).waitFor();
    expect(remediator.requests.length).toBe(before + 1);
    expect((remediator.received.at(-1)!.body as unknown as ActionRunBodyV1).by).toMatchObject({ memberId: 'zhang', via: 'console' });
  });
});
