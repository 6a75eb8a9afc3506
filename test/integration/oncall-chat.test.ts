import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundRequest } from '../../src/bot/chat-adapter.js';
import { FakeClock } from '../support/clock.js';
import { startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

// 2026-11-27 17:00 in Shanghai: 张三 has the primary rotation today, 李四 from tomorrow 09:00.
const T0 = new Date('2026-11-27T09:00:00Z');

describe('oncall and cover from chat', () => {
  let bot: TestBot;
  const say = (text: string, over: Partial<InboundRequest> = {}) =>
    bot.chat.handle({ kind: 'command', platform: 'slack', userId: 'U0LI', channel: 'C0OPS', text, replyTo: { platform: 'slack', channel: 'C0OPS' }, ...over } as InboundRequest);
  beforeAll(async () => {
    const input = testConfigInput();
    input.teams![0]! = { ...input.teams![0]!, channels: [{ platform: 'slack', channel: 'C0OPS' }], schedule: 'primary' };
    input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }] }];
    bot = await startTestBot({ config: testConfig(input), clock: new FakeClock(T0), escalationTimers: false });
  });
  afterAll(async () => bot.stop());

  it('值班 shows who is on call now and next', async () => {
    const feed = (await bot.feeds.url({ kind: 'schedule', id: 'primary' })).replace(/[.]/g, '\\.');
    expect(await say('值班')).toMatchObject({ text: expect.stringMatching(new RegExp(`^值班 · 运维\nPrimary：张三，11-28 09:00 起 李四\n  📅 ${feed}\n个人值班日历：私聊发送「日历」$`)), private: false });
    expect(await say('oncall ops')).toMatchObject({ text: expect.stringContaining('Primary：张三') });
    expect(await say('值班 财务')).toMatchObject({ private: true, text: expect.stringContaining('找不到团队') });
  });

  it('代班 我 2小时 makes the asker the on-call person from now; everyone sees it', async () => {
    expect(await say('代班 我 2小时')).toEqual({ text: '已安排 李四 代班「Primary」至 19:00', private: false });
    expect((await say('值班'))?.text.split('\n').slice(0, 2)).toEqual(['值班 · 运维', 'Primary：李四（代班），19:00 起 张三']);
    const doc = await bot.overrides.col.findOne({ _id: 'primary' });
    expect(doc?.overrides).toMatchObject([{ member: 'li', from: T0, to: new Date(T0.getTime() + 7_200_000), by: 'li' }]);
  });

  it('a bad duration or an unknown member answers privately with the right form and changes nothing', async () => {
    const bad = await say('代班 张三 很久');
    expect(bad).toMatchObject({ private: true, text: expect.stringContaining('用法：代班 <成员|我> <时长>') });
    const unknown = await say('cover nobody 1h');
    expect(unknown).toMatchObject({ private: true, text: expect.stringMatching(/找不到成员 "nobody"\n用法：代班/) });
    expect((await bot.overrides.col.findOne({ _id: 'primary' }))?.overrides).toHaveLength(1);
  });
});
