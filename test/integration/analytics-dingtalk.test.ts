import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DingTalkAppAdapter } from '../../adapters/dingtalk/app-adapter.js';
import { FakeDingTalk } from '../fakes/dingtalk-server.js';
import { dingTalkAppOn } from '../support/dingtalk-app.js';
import { FakeClock } from '../support/clock.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

const CONV = 'cidOPSgroup0123456789==';

describe('DingTalk: 统计 in a group answers with the figures and the chart', () => {
  const clock = new FakeClock('2026-11-27T02:00:00Z');
  let dingtalk: FakeDingTalk;
  let app: DingTalkAppAdapter;
  let bot: TestBot;

  beforeAll(async () => {
    dingtalk = await FakeDingTalk.start({ now: () => clock.now().getTime() });
    const input = testConfigInput();
    input.teams![0]!.channels = [{ platform: 'dingtalk', channel: CONV }];
    app = dingTalkAppOn(dingtalk);
    bot = await startTestBot({ clock, config: testConfig(input), adapters: [app] });
    await app.waitUntilOpen();
    await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'kafka-lag', title: 'Kafka 消费积压', severity: 'critical' }, KEYS.api);
    await bot.flushCards();
    await bot.analytics.recorder.settled();
  });
  afterAll(async () => {
    await bot?.stop();
    await dingtalk?.close();
  });

  it('@dutybot 统计 30天 → a markdown answer through the session webhook, with the chart by its signed link', async () => {
    await dingtalk.sendRobotMessage({ conversationId: CONV, senderStaffId: 'staff-li', senderNick: '李四', text: '@dutybot 统计 30天', isInAtList: true });
    const reply = await dingtalk.waitFor(() => dingtalk.sessionReplies.find((r) => r.body.msgtype === 'markdown'), 20_000, 'the stats answer');
    const md = reply.body.markdown as { title: string; text: string };
    expect(md.title).toBe('📊 运维 · 近30天告警统计');
    expect(md.text).toContain('告警 1 · 已认领 0 · 已解决 0');
    expect(md.text).toContain('1. Kafka 消费积压（rest）');
    const url = /!\[chart\]\((http[^)]+)\)/.exec(md.text)![1]!;
    const png = await fetch(url);
    expect(png.headers.get('content-type')).toBe('image/png');
  });
});
