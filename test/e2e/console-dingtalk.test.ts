import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DingTalkAppAdapter } from '../../adapters/dingtalk/app-adapter.js';
import { FakeDingTalk } from '../fakes/dingtalk-server.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage } from '../support/browser.js';
import { FakeClock } from '../support/clock.js';
import { dingTalkAppOn } from '../support/dingtalk-app.js';

const CONV = 'cidOPSgroup0123456789==';

describe('the web console follows what happens in chat', () => {
  const clock = new FakeClock();
  let dingtalk: FakeDingTalk;
  let app: DingTalkAppAdapter;
  let bot: TestBot;
  let browser: Browser;

  beforeAll(async () => {
    dingtalk = await FakeDingTalk.start({ now: () => clock.now().getTime() });
    const input = testConfigInput();
    input.teams![0]!.channels = [{ platform: 'dingtalk', channel: CONV }];
    app = dingTalkAppOn(dingtalk);
    [bot, browser] = await Promise.all([startTestBot({ clock, config: testConfig(input), adapters: [app] }), launchBrowser()]);
    await app.waitUntilOpen();
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
    await dingtalk?.close();
  });

  it('a claim clicked on the DingTalk card shows in the open console within 1 s, without reload', async () => {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'kafka-lag', title: 'Kafka 消费积压', severity: 'critical' }, KEYS.api);
    const { alertId, shortId } = (await res.json()) as { alertId: string; shortId: number };
    await bot.flushCards();
    const card = [...dingtalk.cards.values()].find((c) => c.params.alertId === alertId)!;

    const { page, close } = await openPage(browser, { locale: 'zh-CN' });
    await page.goto(await bot.console.adminLink(bot.url));
    await page.locator(`tr[data-ref="${shortId}"][data-state="triggered"]`).waitFor();
    await page.locator('#live[data-state="up"]').waitFor();
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    const claimed = bot.nextEvent('claimed');
    void dingtalk.sendCardCallback({ outTrackId: card.outTrackId, userId: 'staff-zhang', params: { action: 'claim', alertId, conv: CONV } });
    expect((await claimed).entry.actor).toMatchObject({ memberId: 'zhang', via: 'dingtalk' });
    await page.locator(`tr[data-ref="${shortId}"][data-state="acknowledged"] td.owner`, { hasText: '张三' }).waitFor({ timeout: 1000 });
    expect(await page.locator(`tr[data-ref="${shortId}"] .state`).textContent()).toBe('已认领');
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await bot.flushCards();
    await close();
  });
});
