import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundRequest } from '../../src/bot/chat-adapter.js';
import { FakeClock } from '../support/clock.js';
import { startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

// Monday 2026-11-23 10:00 in Shanghai: 张三 has today's shift (daily rotation 张三, 李四, 09:00 handoffs).
const T0 = new Date('2026-11-23T02:00:00Z');
const DAY = 86_400_000;

describe('a week of covers: listed with ids, removed by the right people, every change audited', () => {
  let bot: TestBot;
  const say = (text: string, userId = 'U0LI') =>
    bot.chat.handle({ kind: 'command', platform: 'slack', userId, channel: 'C0OPS', text, replyTo: { platform: 'slack', channel: 'C0OPS' } } as InboundRequest);
  const onCallNow = async () => (await say('值班'))!.text.split('\n')[1];
  const ids = async (): Promise<string[]> => [...((await say('代班列表'))!.text.matchAll(/#([0-9a-f]{6})/g))].map((m) => m[1]!);

  beforeAll(async () => {
    const input = testConfigInput();
    input.members!.push({ id: 'zhao', name: '赵六', slack: 'U0ZHAO' });
    input.teams![0]! = { ...input.teams![0]!, members: ['zhang', 'li', 'zhao'], admins: ['zhang'], channels: [{ platform: 'slack', channel: 'C0OPS' }], schedule: 'primary' };
    input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }], remindBefore: 'off' }];
    bot = await startTestBot({ config: testConfig(input), clock: new FakeClock(T0), escalationTimers: false });
  });
  afterAll(async () => bot.stop());

  it('Monday: 李四 has 赵六 cover 张三 for two hours; the list shows it with its id; Tuesday 赵六 covers a day', async () => {
    expect(await onCallNow()).toMatch(/^Primary：张三，/);
    expect(await say('代班 赵六 2小时')).toMatchObject({ private: false, text: '已安排 赵六 代班「Primary」至 12:00' });
    expect(await onCallNow()).toMatch(/^Primary：赵六（代班）/);
    const list = (await say('overrides'))!;
    expect(list.private).toBe(true);
    expect(list.text).toMatch(/^代班：\n#[0-9a-f]{6} 赵六 10:00 – 12:00（Primary，李四 安排）$/);

    bot.clock.set(new Date(T0.getTime() + DAY)); // Tuesday 10:00: 李四's day, the cover is over
    expect(await onCallNow()).toMatch(/^Primary：李四，/);
    expect(await say('代班列表')).toEqual({ text: '没有未结束的代班', private: true });
    await say('代班 我 1天', 'U0ZHAO');
    expect(await ids()).toHaveLength(1);
  });

  it('Tuesday night: 李四 may not remove 赵六\'s cover; 张三, a team admin, may; the rotation is back', async () => {
    bot.clock.set(new Date(T0.getTime() + 1.5 * DAY)); // Tuesday 22:00: 赵六 still covers
    expect(await onCallNow()).toMatch(/^Primary：赵六（代班）/);
    const [id] = await ids();
    const refused = await say(`取消代班 ${id}`, 'U0LI');
    expect(refused).toEqual({ text: `只有 赵六、安排人或团队管理员可以取消代班 #${id}`, private: true });
    expect(await onCallNow()).toMatch(/^Primary：赵六（代班）/);

    const removed = await say(`override remove #${id}`, 'U0ZHANG');
    expect(removed).toMatchObject({ private: false, text: expect.stringMatching(new RegExp(`^已取消代班 #${id}：赵六 `)) });
    expect(await onCallNow()).toMatch(/^Primary：李四，/);
    expect(await ids()).toEqual([]);
  });

  it('bad ids and forms are answered privately and change nothing', async () => {
    await say('代班 我 3小时', 'U0LI');
    const before = await ids();
    expect(await say('取消代班 ffffff')).toEqual({ text: '找不到代班 #ffffff\n用法：代班列表（overrides）\n用法：取消代班 <编号>（override remove <id>）', private: true });
    expect(await say('取消代班')).toMatchObject({ private: true, text: expect.stringMatching(/^需要一个代班编号\n用法：/) });
    expect(await say('override frobnicate 12')).toMatchObject({ private: true, text: expect.stringContaining('未知的子命令 "frobnicate"') });
    expect(await say('取消代班 12', 'U0NOBODY')).toMatchObject({ private: true });
    expect(await ids()).toEqual(before);
  });

  it('the audit trail has every change: who, when, from where', async () => {
    const rows = (await bot.overrides.history(10)).reverse();
    expect(rows.map((r) => [r.action, r.by, r.override.member, r.via, r.channel])).toEqual([
      ['add', 'li', 'zhao', 'slack', 'C0OPS'],
      ['add', 'zhao', 'zhao', 'slack', 'C0OPS'],
      ['remove', 'zhang', 'zhao', 'slack', 'C0OPS'],
      ['add', 'li', 'li', 'slack', 'C0OPS'],
    ]);
    expect(rows[2]!.at).toEqual(new Date(T0.getTime() + 1.5 * DAY));
  });
});
