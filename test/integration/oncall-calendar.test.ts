import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundRequest } from '../../src/bot/chat-adapter.js';
import { FakeClock } from '../support/clock.js';
import { startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';

// Friday 2026-11-27 17:00 in Shanghai: 张三 has the day rotation (09:00 handoffs), 王五 the nights
// from 22:00 to 08:00, and the config has 李四 covering Sunday afternoon.
const T0 = new Date('2026-11-27T09:00:00Z');
const DB_NAME = 'DB, MySQL; PG\\Redis';

interface FeedEvent {
  uid: string;
  summary: string;
  description: string;
  start: Date;
  end: Date;
}

function parseFeed(text: string): { name: string; events: FeedEvent[] } {
  const cal = new ICAL.Component(ICAL.parse(text));
  const events = cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return { uid: e.uid, summary: e.summary, description: e.description, start: e.startDate.toJSDate(), end: e.endDate.toJSDate() };
  });
  return { name: String(cal.getFirstPropertyValue('x-wr-calname')), events };
}

describe('on-call calendar feeds', () => {
  let bot: TestBot;
  const say = (text: string, userId = 'U0LI') =>
    bot.chat.handle({ kind: 'command', platform: 'slack', userId, channel: 'C0OPS', text, replyTo: { platform: 'slack', channel: 'C0OPS' } } as InboundRequest);
  const json = async <T>(r: Response): Promise<T> => (await r.json()) as T;
  const feed = async (url: string): Promise<Response> => fetch(url);

  beforeAll(async () => {
    const input = testConfigInput();
    input.members!.push({ id: 'zhao', name: '赵六' });
    input.teams![0]! = { ...input.teams![0]!, members: ['zhang', 'li', 'zhao'], channels: [{ platform: 'slack', channel: 'C0OPS' }], schedule: 'primary' };
    input.teams![1]! = { ...input.teams![1]!, schedule: 'db' };
    input.schedules = [
      {
        id: 'primary',
        name: 'Primary',
        timeZone: 'Asia/Shanghai',
        layers: [
          { members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' },
          { members: ['wang'], shift: 'weekly', start: '2026-11-02', restrict: { from: '22:00', to: '08:00' } },
        ],
        overrides: [{ member: 'li', from: '2026-11-29T13:00', to: '2026-11-29T18:00' }],
      },
      { id: 'db', name: DB_NAME, timeZone: 'Europe/Berlin', layers: [{ members: ['wang', 'zhao'], shift: 'weekly', start: '2026-10-05' }] },
    ];
    bot = await startTestBot({ config: testConfig(input), clock: new FakeClock(T0), escalationTimers: false });
  });
  afterAll(async () => bot.stop());

  it('oncall in chat and GET /api/v1/oncall show the schedule feeds; the personal one comes privately', async () => {
    const reply = await say('值班');
    const api = await json<{ schedules: Array<{ id: string; feedUrl: string; now: { name: string } }>; me: { feedUrl: string } }>(await bot.get('/api/v1/oncall', TOKENS.li));
    const primary = api.schedules.find((s) => s.id === 'primary')!;
    expect(primary.now.name).toBe('张三');
    expect(primary.feedUrl).toMatch(new RegExp(`^${bot.url}/calendar/[A-Za-z0-9_-]{32}\\.ics$`));
    expect(reply).toEqual({ text: `值班 · 运维\nPrimary：张三，22:00 起 王五\n  📅 ${primary.feedUrl}\n个人值班日历：私聊发送「日历」`, private: false });

    const mine = await say('日历');
    expect(mine).toMatchObject({ private: true, text: expect.stringContaining(api.me.feedUrl) });
    expect(api.me.feedUrl).not.toBe(primary.feedUrl);
    expect((await say('calendar', 'U0NOBODY'))?.text).toContain('你还不是 dutybot 的成员');
    expect(await say('日历 明天')).toMatchObject({ private: true, text: expect.stringContaining('用法：日历') });
  });

  it('the schedule feed is valid iCalendar whose shifts are what oncall says at the same instants', async () => {
    const { feedUrl } = (await json<{ schedules: Array<{ id: string; feedUrl: string }> }>(await bot.get('/api/v1/oncall', TOKENS.zhang))).schedules.find((s) => s.id === 'primary')!;
    const res = await feed(feedUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const text = await res.text();
    // RFC 5545 §3.1: CRLF after every line, no line longer than 75 octets.
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);

    const { name, events } = parseFeed(text);
    expect(name).toBe('值班表：Primary');
    // 90 days of a day rotation with a night layer: about three shifts a day.
    expect(events.length).toBeGreaterThan(250);
    expect(events[0]).toMatchObject({ summary: '值班：张三 · Primary', start: new Date('2026-11-27T01:00:00Z'), end: new Date('2026-11-27T14:00:00Z') });
    expect(events[0]!.description).toBe('值班表：Primary\n值班人：张三\n团队：运维\n时间：2026-11-27 09:00 – 2026-11-27 22:00 (Asia/Shanghai)');
    expect(events[1]).toMatchObject({ summary: '值班：王五 · Primary', start: new Date('2026-11-27T14:00:00Z'), end: new Date('2026-11-28T00:00:00Z') });
    expect(events.find((e) => e.summary.includes('代班'))).toMatchObject({ summary: '值班：李四（代班） · Primary', start: new Date('2026-11-29T05:00:00Z'), end: new Date('2026-11-29T10:00:00Z') });
    expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);
    expect(events.at(-1)!.start.getTime()).toBeLessThan(T0.getTime() + 90 * 86_400_000);

    // Back to back, and each shift is what `值班` answers in its first and last minute.
    for (let i = 1; i < events.length; i++) expect(events[i]!.start).toEqual(events[i - 1]!.end);
    for (const e of events.slice(0, 40)) {
      for (const at of [e.start.getTime(), e.end.getTime() - 60_000]) {
        bot.clock.set(new Date(Math.max(at, T0.getTime())));
        const person = e.summary.replace(/^值班：/, '').replace(/（代班）/, '').split(' · ')[0]!;
        expect((await say('值班'))?.text.split('\n')[1], new Date(at).toISOString()).toMatch(new RegExp(`^Primary：${person}`));
      }
    }
    bot.clock.set(T0);
  });

  it("a member's feed has their shifts on every schedule, covers from chat included, and escapes , ; \\", async () => {
    await say('代班 我 2小时'); // 李四 covers now: 17:00–19:00
    const url = /https?:\S+\.ics/.exec((await say('日历'))!.text)![0];
    const { name, events } = parseFeed(await (await feed(url)).text());
    expect(name).toBe('我的值班：李四');
    expect(events[0]).toMatchObject({ summary: '值班：李四（代班） · Primary', start: T0, end: new Date(T0.getTime() + 7_200_000) });
    expect(events.every((e) => e.summary.includes('李四'))).toBe(true);

    const wang = await json<{ me: { feedUrl: string } }>(await bot.get('/api/v1/oncall', TOKENS.wang));
    const raw = await (await feed(wang.me.feedUrl)).text();
    expect(raw).toContain('DB\\, MySQL\\; PG\\\\Redis');
    const db = parseFeed(raw).events.filter((e) => e.summary.endsWith(DB_NAME));
    // Europe/Berlin: the weekly shift starts Mondays at 09:00 local, 08:00 UTC in winter; 赵六 has this week.
    expect(db[0]).toMatchObject({ summary: `值班：王五 · ${DB_NAME}`, start: new Date('2026-11-30T08:00:00Z'), end: new Date('2026-12-07T08:00:00Z') });
    expect(db[0]!.description).toContain('团队：业务');
  });

  it('a reset token stops working at once, from chat and from REST; an unknown token is a 404', async () => {
    const before = /https?:\S+\.ics/.exec((await say('日历'))!.text)![0];
    expect((await feed(before)).status).toBe(200);
    const reply = await say('日历 重置');
    const after = /https?:\S+\.ics/.exec(reply!.text)![0];
    expect(reply).toMatchObject({ private: true, text: expect.stringContaining('旧链接已失效') });
    expect(after).not.toBe(before);
    expect((await feed(before)).status).toBe(404);
    expect((await feed(after)).status).toBe(200);

    const r = await json<{ feedUrl: string }>(await bot.post('/api/v1/oncall/calendar/reset', {}, TOKENS.li));
    expect((await feed(after)).status).toBe(404);
    expect((await feed(r.feedUrl)).status).toBe(200);
    expect((await json<{ me: { feedUrl: string } }>(await bot.get('/api/v1/oncall', TOKENS.li))).me.feedUrl).toBe(r.feedUrl);

    const sched = (await json<{ schedules: Array<{ id: string; feedUrl: string }> }>(await bot.get('/api/v1/oncall', TOKENS.li))).schedules[0]!.feedUrl;
    expect((await bot.post('/api/v1/oncall/calendar/reset', { schedule: 'primary' }, TOKENS.wang)).status).toBe(403);
    const renewed = await json<{ feedUrl: string }>(await bot.post('/api/v1/oncall/calendar/reset', { schedule: 'primary' }, TOKENS.zhang));
    expect((await feed(sched)).status).toBe(404);
    expect((await feed(renewed.feedUrl)).status).toBe(200);

    expect((await feed(`${bot.url}/calendar/${'A'.repeat(32)}.ics`)).status).toBe(404);
    expect((await feed(`${bot.url}/calendar/nonsense`)).status).toBe(404);
    const audit = await bot.runtime.database.db.collection('calendarfeeds').findOne({ _id: 'subject:member:li' as never });
    expect(audit).toMatchObject({ generation: 2, resetBy: 'li', resetVia: 'rest' });
  });
});
