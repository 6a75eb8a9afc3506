import { describe, expect, it } from 'vitest';
import { loadLine } from '../../../src/analytics/report-text.js';
import { pagedBy } from '../../../src/analytics/recorder.js';
import { scheduleSchema, type Schedule } from '../../../src/config/schema.js';
import type { Alert } from '../../../src/core/alert.js';
import { applyPatch, byMember, factPatch, mergePatches, type AlertFact, type FactSettings } from '../../../src/core/analytics.js';
import { pagedPeople, resolveStep } from '../../../src/core/escalation-targets.js';
import { isNight, onCallHours, pageFacts, pagesByMember, scheduleHours, schedulesOf, type PageFact } from '../../../src/core/fair-load.js';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as Array<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'>;
const OFFICE = { days: WEEKDAYS, from: '09:00', to: '18:00' };
const shanghai: FactSettings = { timeZone: 'Asia/Shanghai', workingHours: OFFICE };
const berlin: FactSettings = { timeZone: 'Europe/Berlin', workingHours: OFFICE };
const at = (iso: string) => new Date(iso);
const H = 3_600_000;

describe('pages at night: outside the team’s working hours, in its zone', () => {
  it('the working day’s edges: 08:59 is night, 09:00 day, 17:59 day, 18:00 night (Shanghai, Tuesday)', () => {
    expect(isNight(at('2026-11-24T00:59:00Z'), shanghai)).toBe(true);
    expect(isNight(at('2026-11-24T01:00:00Z'), shanghai)).toBe(false);
    expect(isNight(at('2026-11-24T09:59:00Z'), shanghai)).toBe(false);
    expect(isNight(at('2026-11-24T10:00:00Z'), shanghai)).toBe(true);
  });

  it('across midnight: 23:30 Monday and 00:30 Tuesday are both night; a Saturday noon is off-hours too', () => {
    expect(isNight(at('2026-11-23T15:30:00Z'), shanghai)).toBe(true);
    expect(isNight(at('2026-11-23T16:30:00Z'), shanghai)).toBe(true);
    expect(isNight(at('2026-11-28T04:00:00Z'), shanghai)).toBe(true);
  });

  it('the same instant is day for a team in Shanghai and night for one in Berlin', () => {
    const instant = at('2026-11-24T03:00:00Z'); // 11:00 in Shanghai, 04:00 in Berlin
    expect(isNight(instant, shanghai)).toBe(false);
    expect(isNight(instant, berlin)).toBe(true);
  });

  it('Berlin keeps 09:00 local across the end of summer time (25 Oct 2026)', () => {
    // 07:30Z is 09:30 in summer time (Friday) and 08:30 in winter time (Monday).
    expect(isNight(at('2026-10-23T07:30:00Z'), berlin)).toBe(false);
    expect(isNight(at('2026-10-26T07:30:00Z'), berlin)).toBe(true);
    expect(isNight(at('2026-10-26T08:30:00Z'), berlin)).toBe(false);
  });

  it('a night-shift team (working 22:00–06:00 Mon–Fri): its night belongs to the day it starts on', () => {
    const nightShift: FactSettings = { timeZone: 'Asia/Shanghai', workingHours: { days: WEEKDAYS, from: '22:00', to: '06:00' } };
    expect(isNight(at('2026-11-27T15:00:00Z'), nightShift)).toBe(false); // Friday 23:00
    expect(isNight(at('2026-11-27T18:00:00Z'), nightShift)).toBe(false); // Saturday 02:00, Friday's shift
    expect(isNight(at('2026-11-28T18:00:00Z'), nightShift)).toBe(true); // Sunday 02:00, Saturday is off
    expect(isNight(at('2026-11-24T04:00:00Z'), nightShift)).toBe(true); // Tuesday noon
  });
});

describe('pages per member in a period', () => {
  const page = (id: string, member: string, iso: string, night = false): PageFact => ({ id, member, at: at(iso), night });
  const week = { from: at('2026-11-22T16:00:00Z'), to: at('2026-11-29T16:00:00Z') };

  it('counts by the page’s own time, each page id once, night pages apart', () => {
    const facts = [
      { pages: [page('t1:1:1:li', 'li', '2026-11-22T15:59:59Z', true), page('t1:1:2:zhang', 'zhang', '2026-11-22T16:10:00Z', true)] },
      { pages: [page('t2:1:1:li', 'li', '2026-11-24T02:00:00Z'), page('t2:1:1:li', 'li', '2026-11-24T02:00:00Z')] },
      { pages: [page('t2:1:1:li', 'li', '2026-11-24T02:00:00Z'), page('t3:1:1:li', 'li', '2026-11-29T16:00:00Z', true)] },
      {},
    ];
    expect(pagesByMember(facts, week)).toEqual(
      new Map([
        ['zhang', { pages: 1, nightPages: 1 }],
        ['li', { pages: 1, nightPages: 0 }],
      ]),
    );
  });

  it('one page per person per step, however many methods reached them; webhooks and team channels page nobody', () => {
    const fx = resolveStep({ alertId: 'a', token: 't', cycle: 1, level: 1 }, [
      { schedule: 'primary', via: ['mention', 'sms', 'voice'] },
      { member: 'wang', via: ['email'] },
      { team: 'ops', via: ['chat'] },
      { url: 'https://hooks.example.com/x', via: ['webhook'] },
    ], { onCall: () => 'li', team: () => ({ members: ['li', 'zhang'] }) });
    expect(pagedPeople(fx)).toEqual(['li', 'wang']);
    expect(pageFacts('t:1:1', ['li', 'li', 'wang'], at('2026-11-24T15:00:00Z'), shanghai)).toEqual([
      { id: 't:1:1:li', member: 'li', at: at('2026-11-24T15:00:00Z'), night: true },
      { id: 't:1:1:wang', member: 'wang', at: at('2026-11-24T15:00:00Z'), night: true },
    ]);
  });
});

describe('pages on the alert’s fact', () => {
  const alert = (version: number, extra: Partial<Alert> = {}): Alert => ({
    id: 'a'.repeat(24), shortId: 1, integration: 'rest', source: 'api', application: 'billing', team: 'ops', dedupKey: 'k', state: 'triggered', version,
    title: 'disk', severity: 'critical', labels: [], links: [], count: 1, firstSeenAt: at('2026-11-24T14:00:00Z'), lastSeenAt: at('2026-11-24T14:00:00Z'),
    escalationLevel: version - 1, rev: 1, ...extra,
  });
  const settings = () => shanghai;

  it('each escalation adds its pages; merged and applied twice, every page is kept once', () => {
    const opened = factPatch({ type: 'opened', alert: alert(1) }, settings);
    const l1 = factPatch({ type: 'escalated', alert: alert(2), paged: { id: 'tok:1:1', members: ['li'], at: at('2026-11-24T14:00:00Z') } }, settings);
    const l2 = factPatch({ type: 'escalated', alert: alert(3), paged: { id: 'tok:1:2', members: ['zhang'], at: at('2026-11-24T14:15:00Z') } }, settings);
    expect(opened.pages).toEqual([]);
    const merged = mergePatches(mergePatches(opened, l1), l2);
    expect(merged.pages.map((p) => p.id)).toEqual(['tok:1:1:li', 'tok:1:2:zhang']);
    let fact: AlertFact | undefined;
    for (const p of [opened, l1, l2, l1]) fact = applyPatch(fact, p);
    expect(fact!.pages!.map((p) => [p.member, p.night])).toEqual([
      ['li', true],
      ['zhang', true],
    ]);
    expect(fact!.escalations).toBe(2);
  });

  it('an ack timeout pages the owner it takes the claim from; a source re-trigger pages nobody', () => {
    const owner = { memberId: 'zhang', name: '张三', via: 'slack', at: at('2026-11-25T13:05:00Z') };
    const entry = (via: string) => ({ alertId: 'a', at: at('2026-11-25T13:35:00Z'), kind: 'reopened' as const, actor: { kind: 'system' as const, name: 'dutybot', via } });
    expect(pagedBy({ type: 'reopened', alert: alert(4), previous: alert(3, { state: 'acknowledged', owner }), entry: entry('ack-timeout') })).toEqual({
      id: 'ack:2026-11-25T13:05:00.000Z',
      members: ['zhang'],
      at: at('2026-11-25T13:35:00Z'),
    });
    expect(pagedBy({ type: 'reopened', alert: alert(4), previous: alert(3, { state: 'acknowledged', owner }), entry: entry('alertmanager') })).toBeUndefined();
  });

  it('a member row for everyone paged or on call, with claims where they have them', () => {
    const fact = applyPatch(undefined, factPatch({ type: 'escalated', alert: alert(2), paged: { id: 'tok:1:1', members: ['li'], at: at('2026-11-24T14:00:00Z') } }, settings));
    const rows = byMember([fact], { from: at('2026-11-22T16:00:00Z'), to: at('2026-11-29T16:00:00Z') }, new Map([['wang', 57], ['li', 54], ['nobody', 0]]));
    expect(rows.map((r) => [r.key, r.claims, r.pages, r.nightPages, r.hoursOnCall])).toEqual([
      ['li', 0, 1, 1, 54],
      ['wang', 0, 0, 0, 57],
    ]);
  });
});

describe('hours on call, clipped to the period', () => {
  const schedule = (input: unknown): Schedule => scheduleSchema.parse(input);

  it('the union of a member’s shifts, clipped to the period: two schedules at once count once', () => {
    const period = { from: at('2026-11-23T00:00:00Z'), to: at('2026-11-24T00:00:00Z') };
    const hours = onCallHours(
      [
        { member: 'li', start: at('2026-11-22T20:00:00Z'), end: at('2026-11-23T04:00:00Z') }, // 4 h inside
        { member: 'li', start: at('2026-11-23T02:00:00Z'), end: at('2026-11-23T06:00:00Z') }, // overlaps: +2 h
        { member: 'li', start: at('2026-11-23T22:30:00Z'), end: at('2026-11-24T09:00:00Z') }, // 1.5 h inside
        { member: 'zhang', start: at('2026-11-24T00:00:00Z'), end: at('2026-11-24T09:00:00Z') }, // after the period
      ],
      period,
    );
    expect(hours).toEqual(new Map([['li', 7.5]]));
  });

  it('Asia/Shanghai (no summer time): a week of daily 09:00 handoffs, the first and last shifts cut at local midnight, a cover moved', () => {
    const primary = schedule({
      id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai',
      layers: [{ members: ['zhang', 'li', 'wang'], shift: 'daily', start: '2026-11-02', handoff: '09:00' }],
    });
    // Monday 23 Nov 00:00 → Monday 30 Nov 00:00, Shanghai. Sunday's wang until 09:00 Monday; then zhang, li, wang… zhang from Sunday 09:00.
    const week = { from: at('2026-11-22T16:00:00Z'), to: at('2026-11-29T16:00:00Z') };
    expect(scheduleHours([primary], week, () => ({}))).toEqual(new Map([['wang', 57], ['zhang', 63], ['li', 48]]));
    // 李四 covers 王五 Wednesday 20:00 – Thursday 02:00.
    const cover = { member: 'li', from: at('2026-11-25T12:00:00Z'), to: at('2026-11-25T18:00:00Z') };
    expect(scheduleHours([primary], week, () => ({ extraOverrides: [cover] }))).toEqual(new Map([['wang', 51], ['zhang', 63], ['li', 54]]));
  });

  it('Europe/Berlin: the shift across the end of summer time lasts 25 hours, and the period’s 49', () => {
    const berlinSchedule = schedule({
      id: 'eu', name: 'EU', timeZone: 'Europe/Berlin',
      layers: [{ members: ['anna', 'ben'], shift: 'daily', start: '2026-10-01', handoff: '09:00' }],
    });
    // Saturday 24 Oct 00:00 CEST → Monday 26 Oct 00:00 CET: 49 hours.
    const period = { from: at('2026-10-23T22:00:00Z'), to: at('2026-10-25T23:00:00Z') };
    const hours = scheduleHours([berlinSchedule], period, () => ({}));
    expect(hours).toEqual(new Map([['anna', 24], ['ben', 25]]));
    expect([...hours.values()].reduce((a, b) => a + b, 0) * H).toBe(period.to.getTime() - period.from.getTime());
  });

  it('a year of hourly shifts (more than one look-ahead holds) is counted whole', () => {
    const hourly = schedule({
      id: 'h', name: 'H', timeZone: 'Asia/Shanghai',
      layers: [{ members: ['a', 'b', 'c'], shift: '1h', start: '2025-01-01', handoff: '00:00' }],
    });
    const year = { from: at('2025-12-31T16:00:00Z'), to: at('2026-12-31T16:00:00Z') }; // 2026 in Shanghai: 8,760 hours
    expect(scheduleHours([hourly], year, () => ({}))).toEqual(new Map([['a', 2920], ['b', 2920], ['c', 2920]]));
  });

  it('a team counts its own schedule, and one that only its policy pages; no team means every schedule', () => {
    const s = (id: string) => schedule({ id, name: id, timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang'], shift: 'daily', start: '2026-11-01' }] });
    const cfg = {
      schedules: [s('primary'), s('dba'), s('biz')],
      teams: [
        { id: 'ops', name: 'ops', members: ['zhang'], schedule: 'primary', escalationPolicy: 'crit', channels: [], admins: [] },
        { id: 'biz', name: 'biz', members: ['wang'], schedule: 'biz', escalationPolicy: 'crit', channels: [], admins: [] },
      ],
      escalationPolicies: [{ id: 'crit', name: 'crit', repeat: 0, levels: [{ after: '0s', notify: [{ schedule: 'dba', via: ['sms'] }, { schedule: 'biz', via: ['sms'] }] }] }],
    } as unknown as Parameters<typeof schedulesOf>[0];
    expect(schedulesOf(cfg, 'ops').map((x) => x.id)).toEqual(['primary', 'dba']);
    expect(schedulesOf(cfg, 'biz').map((x) => x.id)).toEqual(['dba', 'biz']);
    expect(schedulesOf(cfg).map((x) => x.id)).toEqual(['primary', 'dba', 'biz']);
  });
});

describe('the load line of stats and the weekly report', () => {
  const row = (key: string, pages: number, nightPages: number, hoursOnCall: number) => ({
    key, claims: 0, mttaSeconds: null, mttaP90Seconds: null, resolves: 0, mttrSeconds: null, mttrP90Seconds: null, offHoursClaims: 0, pages, nightPages, hoursOnCall,
  });
  const names: Record<string, string> = { zhang: '张三', li: '李四', wang: '王五' };
  const input = { members: [row('wang', 2, 1, 51), row('zhang', 3, 3, 63), row('li', 4, 3, 54.5), row('nobody', 0, 0, 0)], memberName: (id: string) => names[id] ?? id };

  it('the busiest first, in Chinese and English', () => {
    expect(loadLine(input, 'zh')).toBe('值班负载：李四 54.5小时 · 呼叫 4（夜间 3）；张三 63小时 · 呼叫 3（夜间 3）；王五 51小时 · 呼叫 2（夜间 1）');
    expect(loadLine(input, 'en')).toBe('On-call load: 李四 54.5h, 4 pages (3 at night); 张三 63h, 3 pages (3 at night); 王五 51h, 2 pages (1 at night)');
    expect(loadLine({ ...input, members: [row('nobody', 0, 0, 0)] }, 'en')).toBeNull();
  });
});
