import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.js';
import { applyPatch, byGroup, byMember, daily, factPatch, figures, mergePatches, percentile, type AlertFact, type FactEvent } from '../../../src/core/analytics.js';
import { decide } from '../../../src/core/lifecycle.js';
import type { Actor, AlertAction } from '../../../src/core/types.js';
import { isWorkingTime } from '../../../src/core/working-hours.js';

const HOURS = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as Array<'mon' | 'tue' | 'wed' | 'thu' | 'fri'>, from: '09:00', to: '18:00' };
const person = (memberId: string): Actor => ({ kind: 'member', memberId, name: memberId, via: 'slack' });
const SOURCE: Actor = { kind: 'source', name: 'prometheus', via: 'alertmanager' };

let seq = 0;
function opened(at: string, extra: Partial<Alert> = {}): Alert {
  seq += 1;
  return {
    id: `a${seq}`.padEnd(24, '0'),
    shortId: seq,
    integration: 'prometheus',
    source: 'alertmanager',
    application: 'billing',
    team: 'ops',
    dedupKey: `k${seq}`,
    state: 'triggered',
    version: 1,
    title: `alert ${seq}`,
    severity: 'critical',
    labels: [],
    links: [],
    count: 1,
    firstSeenAt: new Date(at),
    lastSeenAt: new Date(at),
    escalationLevel: 0,
    rev: 1,
    ...extra,
  };
}

/** A hand-made timeline: each step goes through the real state machine, as the store does. */
class Timeline {
  facts = new Map<string, AlertFact>();
  constructor(private readonly timeZone = 'Asia/Shanghai') {}
  private record(e: FactEvent): void {
    const p = factPatch(e, () => ({ timeZone: this.timeZone, workingHours: HOURS }));
    this.facts.set(e.alert.id, applyPatch(this.facts.get(e.alert.id), p));
  }
  open(at: string, extra: Partial<Alert> = {}): Alert {
    const a = opened(at, extra);
    this.record({ type: 'opened', alert: a });
    return a;
  }
  act(a: Alert, action: AlertAction, actor: Actor, at: string): Alert {
    const d = decide(a, action, actor, new Date(at));
    if (!d.ok) throw new Error(d.reason);
    const next: Alert = { ...a, ...d.set, ...(d.mutedUntil ? { mutedUntil: d.mutedUntil } : {}), version: a.version + 1 };
    const type = ({ claim: 'claimed', resolve: 'resolved', escalate: 'escalated', mute: 'muted', unmute: 'unmuted', reassign: 'reassigned', unclaim: 'reopened' } as const)[action.kind];
    this.record({ type, alert: next, previous: a });
    return next;
  }
  all(): AlertFact[] {
    return [...this.facts.values()];
  }
}

// The week of Monday 2026-11-23 in Shanghai (UTC+8): 2026-11-22T16:00Z .. 2026-11-29T16:00Z.
const WEEK = { from: new Date('2026-11-22T16:00:00Z'), to: new Date('2026-11-29T16:00:00Z') };

function week(timeZone = 'Asia/Shanghai'): Timeline {
  const t = new Timeline(timeZone);
  // Before the week: not counted.
  t.act(t.open('2026-11-22T15:30:00Z'), { kind: 'claim' }, person('zhang'), '2026-11-22T15:31:00Z');
  // A1, Monday 10:00 local, routed to ops and biz: claimed after 5 min, resolved by 张三 after 65 min.
  let a1 = t.open('2026-11-23T02:00:00Z', { route: { rules: ['billing-critical'], teams: ['ops', 'biz'], channels: [] } });
  a1 = t.act(a1, { kind: 'claim' }, person('zhang'), '2026-11-23T02:05:00Z');
  t.act(a1, { kind: 'resolve' }, person('zhang'), '2026-11-23T03:05:00Z');
  // A2, Monday 22:00 local (out of hours): escalated, claimed by 李四 after 15 min, resolved by the source after 2 h.
  let a2 = t.open('2026-11-23T14:00:00Z');
  a2 = t.act(a2, { kind: 'escalate' }, { kind: 'system', name: 'dutybot', via: 'timer' }, '2026-11-23T14:10:00Z');
  a2 = t.act(a2, { kind: 'claim' }, person('li'), '2026-11-23T14:15:00Z');
  t.act(a2, { kind: 'resolve' }, SOURCE, '2026-11-23T16:00:00Z');
  // A3, Tuesday 01:00 local (Monday in UTC): resolved by the source after 10 min, never claimed.
  const a3 = t.open('2026-11-23T17:00:00Z');
  t.act(a3, { kind: 'resolve' }, SOURCE, '2026-11-23T17:10:00Z');
  // A4, Sunday 23:00 local: muted, still open when the week ends; claimed only the next day.
  let a4 = t.open('2026-11-29T15:00:00Z');
  a4 = t.act(a4, { kind: 'mute', until: new Date('2026-11-29T17:00:00Z') }, person('li'), '2026-11-29T15:01:00Z');
  t.act(a4, { kind: 'claim' }, person('wang'), '2026-11-30T17:00:00Z');
  return t;
}

describe('analytics figures on a hand-made week', () => {
  it('counts, MTTA and MTTR (mean and p90) as things stood at the end of the week', () => {
    expect(figures(week().all(), WEEK)).toEqual({
      opened: 4,
      claimed: 2,
      resolved: 3,
      resolvedByPerson: 1,
      resolvedBySource: 2,
      resolvedBeforeClaim: 1,
      openAtEnd: 1,
      escalated: 1,
      muted: 1,
      offHours: 3,
      mttaSeconds: 600, // (300 + 900) / 2; A4's claim came after the week
      mttaP90Seconds: 900,
      mttrSeconds: 3900, // (3900 + 7200 + 600) / 3
      mttrP90Seconds: 7200,
      mttdSeconds: 0, // no source gave a start: detected on receipt
      mttdP90Seconds: 0,
    });
  });

  it('a later period sees the claim that came after the first one ended', () => {
    const f = figures(week().all(), { from: WEEK.from, to: new Date('2026-12-01T00:00:00Z') });
    expect(f).toMatchObject({ opened: 4, claimed: 3, openAtEnd: 1 });
    expect(f.mttaSeconds).toBe(Math.round((300 + 900 + 93_600) / 3));
  });

  it('per team an alert routed to two teams counts for both; per member, claims and resolutions', () => {
    const teams = byGroup(week().all(), WEEK, 'team');
    expect(teams.map((r) => [r.key, r.opened, r.claimed])).toEqual([
      ['biz', 1, 1],
      ['ops', 4, 2],
    ]);
    expect(byMember(week().all(), WEEK)).toEqual([
      { key: 'li', claims: 1, mttaSeconds: 900, mttaP90Seconds: 900, resolves: 0, mttrSeconds: null, mttrP90Seconds: null, offHoursClaims: 1, pages: 0, nightPages: 0, hoursOnCall: 0 },
      { key: 'zhang', claims: 1, mttaSeconds: 300, mttaP90Seconds: 300, resolves: 1, mttrSeconds: 3900, mttrP90Seconds: 3900, offHoursClaims: 0, pages: 0, nightPages: 0, hoursOnCall: 0 },
    ]);
  });

  it('days are the team zone\'s days: 01:00 in Shanghai is the next day, and every day of the week has a point', () => {
    const points = daily(week().all(), WEEK, 'Asia/Shanghai');
    expect(points.map((p) => p.day)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
    expect(points.map((p) => p.opened)).toEqual([2, 1, 0, 0, 0, 0, 1]);
    expect(points[0]!.mttaSeconds).toBe(600);
    expect(points[6]!.mttaSeconds).toBeNull();
    // The same alerts bucketed in UTC: A3 (17:00Z) falls on Monday.
    const utc = week('UTC').all();
    expect(utc.filter((f) => f.day === '2026-11-23').length).toBe(3);
  });

  it('each day carries its alerts\' figures: claimed, resolved, and mean and p90 times to detect, claim and resolve', () => {
    const t = new Timeline('Asia/Shanghai');
    // Monday: detected 2 and 4 minutes after the source's start; claimed after 1 and 3 min; resolved 30 and 50 min after the start.
    let a = t.open('2026-11-23T02:00:00Z', { sourceStartedAt: new Date('2026-11-23T01:58:00Z') });
    a = t.act(a, { kind: 'claim' }, person('zhang'), '2026-11-23T02:01:00Z');
    t.act(a, { kind: 'resolve' }, person('zhang'), '2026-11-23T02:28:00Z');
    let b = t.open('2026-11-23T03:00:00Z', { sourceStartedAt: new Date('2026-11-23T02:56:00Z') });
    b = t.act(b, { kind: 'claim' }, person('li'), '2026-11-23T03:03:00Z');
    t.act(b, { kind: 'resolve' }, person('li'), '2026-11-23T03:46:00Z');
    // Wednesday: one alert, never claimed, resolved after the week (so not resolved in it).
    const c = t.open('2026-11-25T02:00:00Z');
    t.act(c, { kind: 'resolve' }, SOURCE, '2026-11-30T02:00:00Z');
    const points = daily(t.all(), WEEK, 'Asia/Shanghai');
    expect(points).toHaveLength(7);
    expect(points[0]).toMatchObject({ day: '2026-11-23', opened: 2, claimed: 2, resolved: 2, mttdSeconds: 180, mttdP90Seconds: 240, mttaSeconds: 120, mttaP90Seconds: 180, mttrSeconds: 2400, mttrP90Seconds: 3000 });
    expect(points[2]).toMatchObject({ day: '2026-11-25', opened: 1, claimed: 0, resolved: 0, openAtEnd: 1, mttdSeconds: 0, mttaSeconds: null, mttrSeconds: null });
    expect(points[1]).toMatchObject({ day: '2026-11-24', opened: 0, mttdSeconds: null, mttaSeconds: null, mttrSeconds: null });
    // A day's figures are the period's figures of that day's alerts: the same definitions, not a second set.
    expect(points[0]).toEqual({ day: '2026-11-23', ...figures(t.all().filter((f) => f.day === '2026-11-23'), WEEK) });
  });

  it('an older snapshot arriving late changes nothing; escalations only grow; the first claimer stays', () => {
    const a = opened('2026-11-23T02:00:00Z');
    const settings = () => ({ timeZone: 'UTC', workingHours: HOURS });
    const claimed = { ...a, state: 'acknowledged' as const, version: 2, claimedAt: new Date('2026-11-23T02:01:00Z'), owner: { memberId: 'zhang', name: 'z', at: new Date(), via: 'slack' } };
    const reassigned = { ...claimed, version: 3, owner: { memberId: 'li', name: 'l', at: new Date(), via: 'slack' }, escalationLevel: 2 };
    let f = applyPatch(undefined, factPatch({ type: 'claimed', alert: claimed, previous: a }, settings));
    f = applyPatch(f, factPatch({ type: 'reassigned', alert: reassigned, previous: claimed }, settings));
    f = applyPatch(f, factPatch({ type: 'deduplicated', alert: { ...a, count: 5 } }, settings));
    expect(f).toMatchObject({ version: 3, claimedBy: 'zhang', escalations: 2, secondsToClaim: 60 });
    const merged = mergePatches(factPatch({ type: 'claimed', alert: claimed, previous: a }, settings), factPatch({ type: 'deduplicated', alert: a }, settings));
    expect(merged).toMatchObject({ version: 2, once: { claimedBy: 'zhang' } });
  });

  it('a claim after an ack timeout took the first away is the claim that stood, written apart or merged in one batch', () => {
    const a = opened('2026-11-23T02:00:00Z');
    const settings = () => ({ timeZone: 'UTC', workingHours: HOURS });
    const byZhang = { ...a, state: 'acknowledged' as const, version: 2, claimedAt: new Date('2026-11-23T02:01:00Z'), owner: { memberId: 'zhang', name: 'z', at: new Date(), via: 'slack' } };
    const timedOut = { ...a, version: 3 };
    const byLi = { ...byZhang, version: 4, claimedAt: new Date('2026-11-23T02:40:00Z'), owner: { memberId: 'li', name: 'l', at: new Date(), via: 'slack' } };
    const first = factPatch({ type: 'claimed', alert: byZhang, previous: a }, settings);
    const second = factPatch({ type: 'claimed', alert: byLi, previous: timedOut }, settings);
    expect(applyPatch(applyPatch(undefined, first), second).claimedBy).toBe('li');
    expect(mergePatches(first, second).once).toEqual({ claimedBy: 'li' });
    // A late older patch does not take it back.
    expect(mergePatches(second, first).once).toEqual({ claimedBy: 'li' });
    expect(applyPatch(applyPatch(undefined, second), first).claimedBy).toBe('li');
  });

  it('p90 is the nearest rank; working hours wrap midnight', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([5], 0.9)).toBe(5);
    expect(percentile([], 0.9)).toBeNull();
    const night = { days: ['mon'] as Array<'mon'>, from: '22:00', to: '06:00' };
    expect(isWorkingTime(new Date('2026-11-23T23:00:00Z'), night, 'UTC')).toBe(true); // Monday 23:00
    expect(isWorkingTime(new Date('2026-11-24T05:00:00Z'), night, 'UTC')).toBe(true); // Tuesday 05:00, Monday's shift
    expect(isWorkingTime(new Date('2026-11-24T23:00:00Z'), night, 'UTC')).toBe(false);
  });
});

describe('analytics periods in a team zone', () => {
  it('last 7 days are whole local days, today included; the previous week ends at the latest local midnight; the next report is strictly later', async () => {
    const { lastDays, previousWeek, nextWeekly } = await import('../../../src/core/periods.js');
    const now = new Date('2026-11-29T17:00:00Z'); // Monday 2026-11-30 01:00 in Shanghai
    expect(lastDays(now, 7, 'Asia/Shanghai')).toEqual({ from: new Date('2026-11-23T16:00:00Z'), to: new Date('2026-11-30T16:00:00Z') });
    expect(previousWeek(now, 'Asia/Shanghai')).toEqual({ from: new Date('2026-11-22T16:00:00Z'), to: new Date('2026-11-29T16:00:00Z') });
    expect(nextWeekly(now, 'mon', '09:00', 'Asia/Shanghai')).toEqual(new Date('2026-11-30T01:00:00Z'));
    expect(nextWeekly(new Date('2026-11-30T01:00:00Z'), 'mon', '09:00', 'Asia/Shanghai')).toEqual(new Date('2026-12-07T01:00:00Z'));
    // Across the end of summer time in Berlin (2026-10-25): 09:00 local is 07:00Z before, 08:00Z after.
    expect(nextWeekly(new Date('2026-10-20T00:00:00Z'), 'mon', '09:00', 'Europe/Berlin')).toEqual(new Date('2026-10-26T08:00:00Z'));
  });
});
