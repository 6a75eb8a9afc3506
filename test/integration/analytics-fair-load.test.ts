import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import type { InboundRequest } from '../../src/bot/chat-adapter.js';
import { factPatch } from '../../src/core/analytics.js';
import { runWeeklyReport } from '../../src/jobs/weekly-report.js';
import { log } from '../../src/log.js';
import { FakeAliyun } from '../fakes/aliyun-api.js';
import { FakeSlackApi, type FakeSlackFile } from '../fakes/slack-api.js';
import { FakeClock } from '../support/clock.js';
import { KEYS, startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';

/**
 * A week of a team of three on a daily rotation (Shanghai, handoff 09:00), with a cover taken from
 * chat, and alerts that page people by day and by night through the real escalation engine, the
 * outbox sender, fake Aliyun SMS and a fake Slack. The per-member analytics then give the pages,
 * night pages and hours on call worked out by hand below.
 *
 * Rotation (from 2026-11-02: zhang, li, wang, …): Sun 22 wang · Mon 23 zhang · Tue 24 li ·
 * Wed 25 wang · Thu 26 zhang · Fri 27 li · Sat 28 wang · Sun 29 zhang, each 09:00 → 09:00.
 */
const OPS = 'C0OPS';
const PHONE = { zhang: '13800000001', li: '13800000002', wang: '13800000003' };

describe('fair load: pages, pages at night and hours on call per member', () => {
  const aliyun = new FakeAliyun();
  let slack: FakeSlackApi;
  let slackAdapter: SlackAdapter;
  let bot: TestBot;
  let n = 0;

  /** Moves the clock to `iso`, fires what is due, and lets the sender deliver and cards go out. */
  async function at(iso: string): Promise<void> {
    await bot.escalation.idle();
    bot.clock.set(new Date(iso));
    await bot.escalation.idle();
    await bot.escalation.tick();
    await bot.escalation.idle();
    await bot.notify.sender.runOnce();
    await bot.notify.sender.settled();
    await bot.flushCards();
  }
  async function open(iso: string): Promise<string> {
    bot.clock.set(new Date(iso));
    n += 1;
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `k${n}`, title: `故障 ${n}`, severity: 'critical' }, KEYS.api);
    expect(res.status).toBe(202);
    const { alertId } = (await res.json()) as { alertId: string };
    await at(iso);
    return alertId;
  }
  async function act(iso: string, id: string, action: 'claim' | 'resolve', token: string): Promise<void> {
    await at(iso);
    expect((await bot.post(`/api/v1/alerts/${id}/${action}`, {}, token)).status).toBe(200);
    await bot.escalation.idle();
  }
  const uploadIn = (channel: string, after: number): Promise<FakeSlackFile> =>
    slack
      .waitFor((c) => c.method === 'files.completeUploadExternal' && c.args.channel_id === channel && c.at >= after, 10_000)
      .then((c) => slack.files.get((JSON.parse(String(c.args.files)) as Array<{ id: string }>)[0]!.id)!);
  const smsTo = (phone: string) => aliyun.calls('SendSms').filter((c) => c.PhoneNumbers === phone).length;

  beforeAll(async () => {
    await aliyun.start();
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.members = [
      { ...input.members![0]!, phone: PHONE.zhang },
      { ...input.members![1]!, phone: PHONE.li },
      { ...input.members![2]!, phone: PHONE.wang, slack: 'U0WANG' },
    ];
    input.teams = [
      { id: 'ops', name: '运维', members: ['zhang', 'li', 'wang'], channels: [{ platform: 'slack', channel: OPS }], schedule: 'primary', escalationPolicy: 'ops' },
      { id: 'biz', name: '业务', members: ['wang'] },
    ];
    input.schedules = [
      {
        id: 'primary',
        name: 'Primary',
        timeZone: 'Asia/Shanghai',
        layers: [{ members: ['zhang', 'li', 'wang'], shift: 'daily', start: '2026-11-02', handoff: '09:00' }],
        handoffNotice: false,
        remindBefore: 'off',
      },
    ];
    input.escalationPolicies = [
      {
        id: 'ops',
        levels: [
          { after: '0s', notify: [{ schedule: 'primary', via: ['mention', 'sms'] }] },
          { after: '15m', notify: [{ member: 'zhang', via: ['sms'] }] },
        ],
        ackTimeout: '30m',
      },
    ];
    input.notify = {
      sms: { provider: 'aliyun', accessKeyId: aliyun.accessKeyId, accessKeySecret: aliyun.accessKeySecret, signName: '值班', templateCode: 'SMS_000001', endpoint: aliyun.origin },
    };
    slackAdapter = new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'slack-signing-secret-for-tests', apiUrl: slack.apiUrl, log });
    bot = await startTestBot({
      config: testConfig(input),
      clock: new FakeClock('2026-11-22T15:50:00Z'),
      adapters: [slackAdapter],
      escalationTimers: false,
      outboxIntervalMs: false,
    });

    // F, Sunday 23:55: wang (on call) at 23:55, before the week; zhang at level 2, 00:10 Monday: in it, at night.
    const f = await open('2026-11-22T15:55:00Z');
    await at('2026-11-22T16:10:00Z');
    bot.clock.set(new Date('2026-11-22T16:15:00Z'));
    expect((await bot.post('/api/v1/events', { eventType: 'resolve', dedupKey: 'k1', title: 'ok', severity: 'critical' }, KEYS.api)).status).toBe(202);
    expect(f).toBeTruthy();

    // A, Tuesday 10:00: li by day, who claims and resolves.
    const a = await open('2026-11-24T02:00:00Z');
    await act('2026-11-24T02:05:00Z', a, 'claim', TOKENS.li);
    await act('2026-11-24T02:10:00Z', a, 'resolve', TOKENS.li);

    // B, Tuesday 23:30: li at night, nobody claims, zhang at level 2 (23:45) claims and resolves.
    const b = await open('2026-11-24T15:30:00Z');
    await at('2026-11-24T15:45:00Z');
    await act('2026-11-24T15:50:00Z', b, 'claim', TOKENS.zhang);
    await act('2026-11-24T15:55:00Z', b, 'resolve', TOKENS.zhang);

    // Wednesday 20:00: li covers wang's evening for 6 hours, from chat.
    bot.clock.set(new Date('2026-11-25T12:00:00Z'));
    const cover = await bot.chat.handle({ kind: 'command', platform: 'slack', userId: 'U0LI', channel: OPS, text: '代班 我 6小时', replyTo: { platform: 'slack', channel: OPS } } as InboundRequest);
    expect(cover).toEqual({ text: '已安排 李四 代班「Primary」至 11-26 02:00', private: false });

    // C, Wednesday 21:00: li (covering) at night; zhang claims but leaves it 30 minutes: the ack
    // timeout @-mentions zhang and escalation starts again, paging li; li claims and resolves.
    const c = await open('2026-11-25T13:00:00Z');
    await act('2026-11-25T13:05:00Z', c, 'claim', TOKENS.zhang);
    await at('2026-11-25T13:35:00Z');
    await at('2026-11-25T13:35:00Z');
    await act('2026-11-25T13:40:00Z', c, 'claim', TOKENS.li);
    await act('2026-11-25T13:45:00Z', c, 'resolve', TOKENS.li);

    // D, Thursday 14:00: zhang pages wang on purpose (by day); wang takes it.
    bot.clock.set(new Date('2026-11-26T06:00:00Z'));
    const page = await bot.post('/api/v1/page', { member: 'wang', message: '帮忙看下账单队列' }, TOKENS.zhang);
    expect(page.status).toBe(201);
    const d = ((await page.json()) as { alertId: string }).alertId;
    await at('2026-11-26T06:00:00Z');
    await act('2026-11-26T06:02:00Z', d, 'claim', TOKENS.wang);
    await act('2026-11-26T06:03:00Z', d, 'resolve', TOKENS.wang);

    // E, Saturday 11:00: wang, on call; a Saturday is outside working hours, so it counts as night.
    const e = await open('2026-11-28T03:00:00Z');
    await act('2026-11-28T03:05:00Z', e, 'claim', TOKENS.wang);
    await act('2026-11-28T03:10:00Z', e, 'resolve', TOKENS.wang);

    await at('2026-11-30T02:00:00Z'); // Monday 10:00: the week is over
    await bot.analytics.recorder.settled();
  });
  afterAll(async () => {
    await bot?.stop();
    await slack?.close();
    await aliyun.close();
  });

  const week = 'from=2026-11-23&to=2026-11-30';
  /**
   * By hand, Monday 23 00:00 → Monday 30 00:00 in Shanghai:
   * - zhang: F level 2 (Mon 00:10), B level 2 (Tue 23:45), C's ack timeout (Wed 21:35): 3 pages, all at
   *   night; on call Mon 09–Tue 09, Thu 09–Fri 09, Sun 09–24 = 24 + 24 + 15 = 63 h.
   * - li: A (Tue 10:00, day), B (Tue 23:30), C (Wed 21:00) and C again after the ack timeout (21:35):
   *   4 pages, 3 at night; on call Tue and Fri (48 h) and the 6 h cover = 54 h.
   * - wang: D (Thu 14:00, day) and E (Sat 11:00, a weekend): 2 pages, 1 at night; F's page at Sun
   *   23:55 is the week before. On call Mon 00–09, Wed 09–Thu 09 less the cover, Sat 09–Sun 09 =
   *   9 + 18 + 24 = 51 h.
   */
  const expected = [
    { key: 'li', name: '李四', pages: 4, nightPages: 3, hoursOnCall: 54 },
    { key: 'wang', name: '王五', pages: 2, nightPages: 1, hoursOnCall: 51 },
    { key: 'zhang', name: '张三', pages: 3, nightPages: 3, hoursOnCall: 63 },
  ];

  it('GET /api/v1/analytics?by=member gives each person’s pages, night pages and hours on call', async () => {
    const res = await bot.get(`/api/v1/analytics?by=member&${week}`, TOKENS.wang);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: Array<Record<string, unknown>>; definitions: Record<string, string> };
    expect(body.rows).toMatchObject(expected);
    // Claims as before: C's claim is li's, the one that stood after zhang's timed out.
    expect(body.rows.map((r) => [r.key, r.claims, r.resolves])).toEqual([
      ['li', 2, 2],
      ['wang', 2, 2],
      ['zhang', 1, 1],
    ]);
    expect(body.definitions.nightPages).toMatch(/working hours/);
    // The team's own view is the same: its schedule, its alerts.
    const ops = (await (await bot.get(`/api/v1/analytics?by=member&${week}&team=ops`, TOKENS.wang)).json()) as { rows: unknown[] };
    expect(ops.rows).toMatchObject(expected);
    // The texts really went out: li's four pages and zhang's two level-2 pages by SMS (an ack timeout mentions only).
    expect([smsTo(PHONE.li), smsTo(PHONE.zhang)]).toEqual([4, 2]);
  });

  it('the week before has F’s first page, to wang at Sunday 23:55, at night', async () => {
    const body = (await (await bot.get('/api/v1/analytics?by=member&from=2026-11-16&to=2026-11-23', TOKENS.wang)).json()) as { rows: Array<Record<string, unknown>> };
    expect(body.rows.find((r) => r.key === 'wang')).toMatchObject({ pages: 1, nightPages: 1 });
    expect(body.rows.find((r) => r.key === 'zhang')).toMatchObject({ pages: 0 });
  });

  it('the CSV appends pages, nightPages and hoursOnCall after the earlier columns', async () => {
    const csv = await bot.get(`/api/v1/analytics?by=member&${week}&format=csv`, TOKENS.wang);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('member,name,claims,mttaSeconds,mttaP90Seconds,resolves,mttrSeconds,mttrP90Seconds,offHoursClaims,pages,nightPages,hoursOnCall');
    expect(lines.slice(1).map((l) => l.split(',').slice(-3).join(','))).toEqual(['4,3,54', '2,1,51', '3,3,63']);
  });

  it('a page written again (a retried write, or the same step in a later batch) is stored once, by update as by insert', async () => {
    const alert = (await bot.runtime.alerts.get('1'))!;
    const settings = () => ({ timeZone: 'Asia/Shanghai', workingHours: { days: ['mon' as const], from: '09:00', to: '18:00' } });
    const step = (id: string, member: string) => factPatch({ type: 'escalated', alert, paged: { id, members: [member], at: new Date('2026-11-15T15:00:00Z') } }, settings);
    const facts = bot.analytics.facts;
    const before = (await facts.get(alert.id))!.pages!.length;
    await facts.apply(step('again:1:1', 'li'));
    await facts.apply(step('again:1:1', 'li'));
    expect(await facts.applyMany([step('again:1:1', 'li'), step('again:1:2', 'wang')])).toEqual(['written', 'written']);
    const pages = (await facts.get(alert.id))!.pages!;
    expect(pages.length - before).toBe(2);
    expect(pages.slice(-2).map((p) => [p.id, p.night])).toEqual([
      ['again:1:1:li', true],
      ['again:1:2:wang', true],
    ]);
  });

  it('the weekly report in the team’s Slack channel carries the week’s load in one line, the busiest first', async () => {
    const started = Date.now();
    const deps = { ...bot.runtime, analytics: bot.analytics.service, adapters: new Map([['slack' as const, slackAdapter]]), db: bot.runtime.database.db };
    expect(await runWeeklyReport(deps, 'ops')).toEqual({ kind: 'posted', channels: 1, failed: 0 });
    const text = (await uploadIn(OPS, started)).initialComment!;
    expect(text).toContain('值班负载：李四 54小时 · 呼叫 4（夜间 3）；张三 63小时 · 呼叫 3（夜间 3）；王五 51小时 · 呼叫 2（夜间 1）');
    const en = await bot.analytics.service.report('ops', { from: new Date('2026-11-22T16:00:00Z'), to: new Date('2026-11-29T16:00:00Z') }, 'en', { heading: 'week' });
    expect(en.lines).toContain('On-call load: 李四 54h, 4 pages (3 at night); 张三 63h, 3 pages (3 at night); 王五 51h, 2 pages (1 at night)');
  });

  it('统计 on Monday 10:00: the last 7 days from Tuesday, hours only up to now', async () => {
    // Tue 24 00:00 → now (Mon 30 10:00), 154 h: zhang 9 + 24 + 24, li 24 + 6 + 24 + 1, wang 18 + 24.
    const started = Date.now();
    const reply = await bot.chat.handle({ kind: 'command', platform: 'slack', userId: 'U0ZHANG', channel: OPS, text: '统计', replyTo: { platform: 'slack', channel: OPS } } as InboundRequest);
    expect(reply).toBeNull(); // answered with the chart
    const text = (await uploadIn(OPS, started)).initialComment!;
    expect(text).toContain('值班负载：李四 55小时 · 呼叫 4（夜间 3）；张三 57小时 · 呼叫 2（夜间 2）；王五 42小时 · 呼叫 2（夜间 1）');
  });
});
