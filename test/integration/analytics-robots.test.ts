import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DingTalkWebhookAdapter } from '../../adapters/dingtalk/webhook-adapter.js';
import { WeComWebhookAdapter } from '../../adapters/wechat/wecom-webhook-adapter.js';
import type { ChatAdapter } from '../../src/bot/chat-adapter.js';
import { runWeeklyReport } from '../../src/jobs/weekly-report.js';
import { log } from '../../src/log.js';
import { FakeDingTalk } from '../fakes/dingtalk-server.js';
import { FakeWeComRobot } from '../fakes/wecom-robot.js';
import { FakeClock } from '../support/clock.js';
import { startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

const ROBOT_SECRET = 'SECdutybot-robot-secret-0123456789';
const BIZ_KEY = 'biz-key-0123456789abcdef';

/** DingTalk and WeCom group robots show the chart by dutybot's signed link; WeCom also gets the PNG itself. */
describe('weekly report to DingTalk and WeCom group robots', () => {
  const clock = new FakeClock('2026-11-24T03:00:00Z');
  let dingtalk: FakeDingTalk;
  let wecom: FakeWeComRobot;
  let bot: TestBot;
  let robotUrl: string;
  const wecomUrl = FakeWeComRobot.webhookUrl('wecom-key-biz-0001');
  let adapters: ChatAdapter[] = [];

  beforeAll(async () => {
    dingtalk = await FakeDingTalk.start({ now: () => clock.now().getTime() });
    robotUrl = dingtalk.addCustomRobot('biz-robot-token', ROBOT_SECRET);
    wecom = await FakeWeComRobot.start({ now: () => clock.now().getTime() });
    const input = testConfigInput();
    input.integrations!.push({ name: 'shop', type: 'api', key: BIZ_KEY, team: 'biz', application: 'shop' });
    input.teams![1]!.locale = 'en';
    input.teams![1]!.channels = [
      { platform: 'dingtalk-webhook', url: robotUrl, secret: ROBOT_SECRET },
      { platform: 'wecom-webhook', url: wecomUrl },
    ];
    input.analytics = { teams: { biz: { timeZone: 'Europe/Berlin' } } };
    adapters = [
      new DingTalkWebhookAdapter({ log, secrets: new Map([[robotUrl, ROBOT_SECRET]]), oapiUrl: dingtalk.url, now: () => clock.now().getTime() }),
      WeComWebhookAdapter.fromEnv({ WECOM_API_URL: wecom.origin }, log),
    ];
    bot = await startTestBot({ config: testConfig(input), adapters, clock });
    await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'checkout-5xx', title: 'Checkout 5xx', severity: 'critical' }, BIZ_KEY);
    await bot.flushCards();
    await bot.analytics.recorder.settled();
  });
  afterAll(async () => {
    await bot?.stop();
    await dingtalk?.close();
    await wecom?.close();
  });

  it('posts the figures with the chart on Monday 09:00 Berlin time, in the team language', async () => {
    clock.set('2026-11-30T08:00:00Z'); // Monday 09:00 in Berlin
    const deps = { ...bot.runtime, analytics: bot.analytics.service, adapters: new Map(adapters.map((a) => [a.platform, a] as const)), db: bot.runtime.database.db };
    expect(await runWeeklyReport(deps, 'biz')).toEqual({ kind: 'posted', channels: 2, failed: 0 });

    const md = dingtalk.robotMessages.map((m) => m.body).filter((b) => b.msgtype === 'markdown').at(-1) as { markdown: { title: string; text: string } };
    expect(md.markdown.title).toBe('📅 业务 · weekly report 2026-11-23 – 2026-11-29');
    expect(md.markdown.text).toContain('Alerts 1 · claimed 0 · resolved 0');
    const chartUrl = /!\[chart\]\((http[^)]+)\)/.exec(md.markdown.text)![1]!;
    const png = await fetch(chartUrl);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');

    const sent = wecom.messages('wecom-key-biz-0001').slice(-2);
    expect(sent.map((m) => [m.msgtype, m.errcode])).toEqual([
      ['markdown', 0],
      ['image', 0],
    ]);
    expect(sent[0]!.content).toContain(chartUrl);
  });
});
