import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundRequest, PlatformId } from '../../src/bot/chat-adapter.js';
import { FakeClock } from '../support/clock.js';
import { startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

// Monday 2026-11-23 10:00 in Shanghai. Daily rotation 张三, 李四 with 09:00 handoffs:
// 23 张三, 24 李四, 25 张三, 26 李四, 27 张三, 28 李四, 29 张三, 30 李四.
const T0 = new Date('2026-11-23T02:00:00Z');
const DAY = 86_400_000;
const day = (n: number): Date => new Date(T0.getTime() + n * DAY);

describe('a week of shifts with swaps asked and answered in chat', () => {
  let bot: TestBot;
  const say = (text: string, userId = 'U0LI', platform: PlatformId = 'slack', channel = 'C0OPS') =>
    bot.chat.handle({ kind: 'command', platform, userId, channel, text, replyTo: { platform, channel } } as InboundRequest);
  const onCallNow = async () => (await say('值班'))!.text.split('\n')[1];
  const swapId = (text: string): string => /#([0-9a-f]{6})/.exec(text)![1]!;

  beforeAll(async () => {
    const input = testConfigInput();
    input.teams![0]! = { ...input.teams![0]!, channels: [{ platform: 'slack', channel: 'C0OPS' }], schedule: 'primary' };
    input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }], remindBefore: 'off' }];
    bot = await startTestBot({ config: testConfig(input), clock: new FakeClock(T0), escalationTimers: false });
  });
  afterAll(async () => bot.stop());

  it('bad requests are answered privately with the form, and nothing changes', async () => {
    const refused = async (text: string, why: string): Promise<void> => {
      const r = await say(text);
      expect(r).toMatchObject({ private: true });
      expect(r!.text).toMatch(new RegExp(`^${why}[^\\n]*\\n用法：换班 <成员> <日期\\|下一班>`));
    };
    await refused('换班 李四 11-26', '不能和自己换班');
    await refused('换班 赵七 11-26', '找不到成员 "赵七"');
    await refused('换班 张三 11-25', '你在「Primary」11-25 没有班次');
    await refused('换班 王五 11-26', '王五 在「Primary」未来 30 天没有班次可与你交换，换班会让一边的班次空出来');
    await refused('换班 张三 下周', '看不懂日期 "下周"');
    await refused('换班 同意', '需要一个换班编号');
    await refused('换班 同意 ffffff', '找不到换班请求 #ffffff');
    expect(await say('换班 张三 11-26', 'U0NOBODY')).toMatchObject({ private: true, text: expect.stringContaining('你还不是 dutybot 的成员') });
    expect(await bot.overrides.history(10)).toEqual([]);
  });

  it('李四 asks 张三 to swap Thursday for Wednesday; only 张三 may answer; accepted from WeChat, it is two audited covers', async () => {
    const asked = (await say('换班 张三 11-26'))!;
    const id = swapId(asked.text);
    expect(asked).toEqual({
      private: false,
      text: `换班请求 #${id}（Primary）：李四 的 11-26 09:00 – 11-27 09:00 ⇄ 张三 的 11-25 09:00 – 11-26 09:00\n张三 请回复「换班 同意 ${id}」或「换班 拒绝 ${id}」（11-24 10:00 前有效）`,
    });
    expect(await say(`换班 同意 ${id}`)).toEqual({ text: `只有 张三 可以回复换班请求 #${id}`, private: true });

    const accepted = await say(`换班 同意 #${id}`, 'wx-zhang', 'wechat', 'ops-room');
    expect(accepted).toEqual({ private: false, text: `已换班 #${id}（Primary）：张三 值 11-26 09:00 – 11-27 09:00，李四 值 11-25 09:00 – 11-26 09:00` });
    expect(await say(`swap accept ${id}`, 'U0ZHANG')).toEqual({ text: `换班请求 #${id} 已经回复过（已同意）`, private: true });

    const rows = (await bot.overrides.history(10)).reverse();
    expect(rows.map((r) => [r.action, r.override.member, r.override.from.toISOString(), r.by, r.via, r.channel, r.swap])).toEqual([
      ['add', 'zhang', '2026-11-26T01:00:00.000Z', 'zhang', 'wechat', 'ops-room', id],
      ['add', 'li', '2026-11-25T01:00:00.000Z', 'zhang', 'wechat', 'ops-room', id],
    ]);
    expect(rows[0]!.at).toEqual(T0);
  });

  it('the schedule feed shows the swap', async () => {
    const url = /📅 (\S+)/.exec((await say('值班'))!.text)![1]!;
    const cal = new ICAL.Component(ICAL.parse(await (await fetch(url)).text()));
    const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v)).map((e) => ({ summary: e.summary, start: e.startDate.toJSDate().toISOString(), end: e.endDate.toJSDate().toISOString() }));
    const week = events.filter((e) => e.start >= '2026-11-24' && e.start < '2026-11-28');
    expect(week.map((e) => [e.summary.replace(/ · Primary$/, ''), e.start, e.end])).toEqual([
      ['值班：李四', '2026-11-24T01:00:00.000Z', '2026-11-25T01:00:00.000Z'],
      ['值班：李四（代班）', '2026-11-25T01:00:00.000Z', '2026-11-26T01:00:00.000Z'],
      ['值班：张三（代班）', '2026-11-26T01:00:00.000Z', '2026-11-27T01:00:00.000Z'],
      ['值班：张三', '2026-11-27T01:00:00.000Z', '2026-11-28T01:00:00.000Z'],
    ]);
  });

  it('a declined swap changes nothing; an unanswered one expires', async () => {
    const declinedId = swapId((await say('swap 张三 11-28'))!.text);
    expect(await say(`swap decline ${declinedId}`, 'U0ZHANG')).toEqual({ text: `张三 拒绝了换班请求 #${declinedId}，值班不变`, private: false });
    expect(await say(`换班 同意 ${declinedId}`, 'U0ZHANG')).toEqual({ text: `换班请求 #${declinedId} 已经回复过（已拒绝）`, private: true });

    const lateId = swapId((await say('换班 张三 11-30'))!.text);
    bot.clock.set(day(1.5)); // Tuesday 22:00: a day and a half later
    expect(await say(`换班 同意 ${lateId}`, 'U0ZHANG')).toEqual({ text: `换班请求 #${lateId} 已过期，值班不变`, private: true });
    expect(await bot.overrides.history(10)).toHaveLength(2);
  });

  it('oncall answers reflect the swap at the right instants through the week', async () => {
    const expected: Array<[number, RegExp]> = [
      [1, /^Primary：李四，/], // Tuesday: 李四's own day
      [1.95, /^Primary：李四，/], // Wednesday 08:48: still 李四's own Tuesday shift
      [2, /^Primary：李四（代班）/], // Wednesday 10:00: 李四 took 张三's day
      [3, /^Primary：张三（代班）/], // Thursday: 张三 took 李四's
      [4, /^Primary：张三，/], // Friday: the rotation again
      [5, /^Primary：李四，/], // Saturday: the declined swap left 李四 on
    ];
    for (const [d, re] of expected) {
      bot.clock.set(day(d));
      expect(await onCallNow(), `day +${d}`).toMatch(re);
    }
  });
});

describe('swap bad input in an English channel: private, in English, with the form; nothing changes', () => {
  let bot: TestBot;
  const say = (text: string, userId = 'U0LI') =>
    bot.chat.handle({ kind: 'command', platform: 'slack', userId, channel: 'C0EN', text, replyTo: { platform: 'slack', channel: 'C0EN' } } as InboundRequest);
  const swapId = (text: string): string => /#([0-9a-f]{6})/.exec(text)![1]!;

  beforeAll(async () => {
    const input = testConfigInput();
    input.teams![0]! = { ...input.teams![0]!, locale: 'en', channels: [{ platform: 'slack', channel: 'C0EN' }], schedule: 'primary' };
    input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }], remindBefore: 'off' }];
    bot = await startTestBot({ config: testConfig(input), clock: new FakeClock(T0), escalationTimers: false });
  });
  afterAll(async () => bot.stop());

  it('each refusal names what is wrong, then the usage', async () => {
    const refused = async (text: string, why: string, userId?: string): Promise<void> => {
      const r = await say(text, userId);
      expect(r, text).toMatchObject({ private: true });
      expect(r!.text, text).toMatch(new RegExp(`^${why.replace(/[()|[\]]/g, '\\$&')}[^\\n]*\\nusage: swap <member> <date\\|next>`));
    };
    await refused('swap <@U0LI> 11-26', 'you cannot swap with yourself');
    await refused('swap bob 11-26', 'unknown member "bob"');
    await refused('swap zhang 11-25', 'you have no shift on Primary on 11-25');
    await refused('swap zhang 2027-03-01', 'you have no shift on Primary on 2027-03-01');
    await refused('swap wang 11-26', '王五 has no shift on Primary in the next 30 days to swap back: a swap would leave a shift empty (use cover)');
    await refused('swap zhang someday', 'cannot read the date "someday"');
    await refused('swap zhang', 'give a member and a date');
    await refused('swap accept', 'give one swap id');
    await refused('swap decline 123abc', 'no swap request #123abc');
    expect(await bot.overrides.history(10)).toEqual([]);
  });

  it('an answer by someone else, a second answer and a late one are refused privately; nothing changes', async () => {
    const id = swapId((await say('swap <@U0ZHANG> 11-26'))!.text);
    expect(await say(`swap accept ${id}`, 'U0LI')).toEqual({ text: `only 张三 may answer swap request #${id}`, private: true });
    expect(await say(`swap accept ${id}`, 'U0STRANGER')).toMatchObject({ text: expect.stringContaining('you are not a dutybot member'), private: true });
    expect(await say(`swap decline ${id}`, 'U0ZHANG')).toEqual({ text: `张三 declined swap request #${id}; nothing changed`, private: false });
    expect(await say(`swap accept ${id}`, 'U0ZHANG')).toEqual({ text: `swap request #${id} was already answered (declined)`, private: true });
    const late = swapId((await say('swap zhang next'))!.text);
    bot.clock.set(new Date(T0.getTime() + 2 * DAY));
    expect(await say(`swap accept ${late}`, 'U0ZHANG')).toEqual({ text: `swap request #${late} has expired; nothing changed`, private: true });
    expect(await bot.overrides.history(10)).toEqual([]);
  });
});
