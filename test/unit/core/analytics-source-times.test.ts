import { describe, expect, it } from 'vitest';
import { reportLines } from '../../../src/analytics/report-text.js';
import type { Alert } from '../../../src/core/alert.js';
import { applyPatch, byMember, factPatch, figures, sourceDurations, type AlertFact, type FactEvent } from '../../../src/core/analytics.js';
import { decide } from '../../../src/core/lifecycle.js';
import type { Actor, AlertAction } from '../../../src/core/types.js';

const HOURS = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as Array<'mon' | 'tue' | 'wed' | 'thu' | 'fri'>, from: '09:00', to: '18:00' };
const person = (memberId: string): Actor => ({ kind: 'member', memberId, name: memberId, via: 'slack' });
const SOURCE: Actor = { kind: 'source', name: 'prometheus', via: 'alertmanager' };

/**
 * Hand-made timelines with the source's own times: each step goes through the real state machine,
 * and a resolve by the source carries its end time as ingestion stamps it (src/ingest/ingest.ts).
 */
class Timeline {
  private seq = 0;
  readonly facts = new Map<string, AlertFact>();
  constructor(private readonly timeZone: string) {}
  private record(e: FactEvent): void {
    const p = factPatch(e, () => ({ timeZone: this.timeZone, workingHours: HOURS }));
    this.facts.set(e.alert.id, applyPatch(this.facts.get(e.alert.id), p));
  }
  /** Received at `at`; the source says it started at `started` (or says nothing). */
  open(at: string, started?: string): Alert {
    this.seq += 1;
    const a: Alert = {
      id: `s${this.seq}`.padEnd(24, '0'),
      shortId: this.seq,
      integration: 'prometheus',
      source: 'alertmanager',
      application: 'billing',
      team: 'ops',
      dedupKey: `k${this.seq}`,
      state: 'triggered',
      version: 1,
      title: `alert ${this.seq}`,
      severity: 'critical',
      labels: [],
      links: [],
      count: 1,
      firstSeenAt: new Date(at),
      lastSeenAt: new Date(at),
      // As the store does: the receipt when the source gave no start.
      sourceStartedAt: new Date(started ?? at),
      escalationLevel: 0,
      rev: 1,
    };
    this.record({ type: 'opened', alert: a });
    return a;
  }
  act(a: Alert, action: AlertAction, actor: Actor, at: string, extra: Partial<Alert> = {}): Alert {
    const d = decide(a, action, actor, new Date(at));
    if (!d.ok) throw new Error(d.reason);
    const next: Alert = { ...a, ...d.set, ...extra, version: a.version + 1 };
    this.record({ type: action.kind === 'claim' ? 'claimed' : 'resolved', alert: next, previous: a });
    return next;
  }
  claim(a: Alert, who: string, at: string): Alert {
    return this.act(a, { kind: 'claim' }, person(who), at);
  }
  /** The source's resolve, received at `at`, saying the problem ended at `ended`. */
  sourceResolves(a: Alert, at: string, ended: string): Alert {
    return this.act(a, { kind: 'resolve' }, SOURCE, at, { sourceEndedAt: new Date(ended) });
  }
  all(): AlertFact[] {
    return [...this.facts.values()];
  }
}

// Tuesday 2026-11-24 in Shanghai (UTC+8): 2026-11-23T16:00Z .. 2026-11-24T16:00Z.
const TUESDAY = { from: new Date('2026-11-23T16:00:00Z'), to: new Date('2026-11-24T16:00:00Z') };
const MONDAY = { from: new Date('2026-11-22T16:00:00Z'), to: new Date('2026-11-23T16:00:00Z') };

function tuesday(): Timeline {
  const t = new Timeline('Asia/Shanghai');
  // W: started Monday 23:50 local, received Tuesday 00:05 local (detect 900 s); claimed 5 min later;
  // the source says it ended at 00:35 and we heard at 00:36 (resolve 00:35 − 23:50 = 2700 s).
  let w = t.open('2026-11-23T16:05:00Z', '2026-11-23T15:50:00Z');
  w = t.claim(w, 'zhang', '2026-11-23T16:10:00Z');
  t.sourceResolves(w, '2026-11-23T16:36:00Z', '2026-11-23T16:35:00Z');
  // X: started 10:00, received 10:03 (180 s), claimed 10:08 (300 s), ended 10:40 (2400 s), heard 10:42.
  let x = t.open('2026-11-24T02:03:00Z', '2026-11-24T02:00:00Z');
  x = t.claim(x, 'li', '2026-11-24T02:08:00Z');
  t.sourceResolves(x, '2026-11-24T02:42:00Z', '2026-11-24T02:40:00Z');
  // Y: the source gave no start: received 11:00 (detect 0), claimed 11:10 (600 s), a person resolves at 11:30 (1800 s).
  let y = t.open('2026-11-24T03:00:00Z');
  y = t.claim(y, 'zhang', '2026-11-24T03:10:00Z');
  t.act(y, { kind: 'resolve' }, person('zhang'), '2026-11-24T03:30:00Z');
  // V: the source's clock is 2 min ahead: its start is after our receipt (detect 0, start = receipt);
  // it ends at 13:12 by its clock, heard at 13:11 (resolve 720 s).
  const v = t.open('2026-11-24T05:00:00Z', '2026-11-24T05:02:00Z');
  t.sourceResolves(v, '2026-11-24T05:11:00Z', '2026-11-24T05:12:00Z');
  // Z: started 22:00, received 22:20 (1200 s); still open at the end of the day, claimed after it.
  const z = t.open('2026-11-24T14:20:00Z', '2026-11-24T14:00:00Z');
  t.claim(z, 'li', '2026-11-24T16:30:00Z');
  return t;
}

describe('time to detect, to claim and to resolve, from the source\'s own times', () => {
  it('one alert: detect = source start → receipt, claim = receipt → claim, resolve = source start → source end', () => {
    const x = tuesday().all().find((f) => f.shortId === 2)!;
    expect(x).toMatchObject({
      openedAt: new Date('2026-11-24T02:03:00Z'),
      sourceStartedAt: new Date('2026-11-24T02:00:00Z'),
      sourceEndedAt: new Date('2026-11-24T02:40:00Z'),
      resolvedAt: new Date('2026-11-24T02:42:00Z'),
      secondsToDetect: 180,
      secondsToClaim: 300,
      secondsToResolve: 2400,
    });
  });

  it('a day\'s figures equal the hand-computed ones; an alert open at the end counts for detection only', () => {
    expect(figures(tuesday().all(), TUESDAY)).toMatchObject({
      opened: 5,
      claimed: 3,
      resolved: 4,
      openAtEnd: 1,
      mttdSeconds: 456, // (900 + 180 + 0 + 0 + 1200) / 5
      mttdP90Seconds: 1200,
      mttaSeconds: 400, // (300 + 300 + 600) / 3; Z's claim came after the day
      mttaP90Seconds: 600,
      mttrSeconds: 1905, // (2700 + 2400 + 1800 + 720) / 4
      mttrP90Seconds: 2700,
    });
  });

  it('a period is bucketed by receipt in the team zone: W started on Monday (local) but counts on Tuesday', () => {
    const facts = tuesday().all();
    expect(facts.find((f) => f.shortId === 1)!.day).toBe('2026-11-24');
    expect(figures(facts, MONDAY)).toMatchObject({ opened: 0, mttdSeconds: null, mttrSeconds: null });
    // Per member, time to resolve uses the same clock: 张三 resolved Y (1800 s); W was resolved by its source.
    expect(byMember(facts, TUESDAY).find((m) => m.key === 'zhang')).toMatchObject({ claims: 2, resolves: 1, mttrSeconds: 1800 });
  });

  it('the same timeline over a longer period counts Z\'s late claim', () => {
    const f = figures(tuesday().all(), { from: TUESDAY.from, to: new Date('2026-11-25T16:00:00Z') });
    expect(f).toMatchObject({ claimed: 4, mttaSeconds: Math.round((300 + 300 + 600 + 7800) / 4), openAtEnd: 1 });
  });

  it('durations never go negative, and an invalid source start means the receipt', () => {
    const at = new Date('2026-11-24T05:00:00Z');
    expect(sourceDurations({ firstSeenAt: at, sourceStartedAt: new Date('2026-11-24T05:04:00Z') })).toEqual({ startedAt: at, secondsToDetect: 0 });
    expect(sourceDurations({ firstSeenAt: at, sourceStartedAt: new Date(NaN) })).toEqual({ startedAt: at, secondsToDetect: 0 });
    // A source end before its start (a confused clock) is 0, never negative.
    expect(
      sourceDurations({ firstSeenAt: at, sourceStartedAt: new Date('2026-11-24T04:00:00Z'), sourceEndedAt: new Date('2026-11-24T03:00:00Z'), resolvedAt: at }),
    ).toMatchObject({ secondsToDetect: 3600, secondsToResolve: 0 });
  });

  it('the chat report shows MTTD, MTTA and MTTR with a one-line definition in each language', () => {
    const input = { heading: 'h', figures: figures(tuesday().all(), TUESDAY), members: [], memberName: (id: string) => id, noisiest: [] };
    const en = reportLines(input, 'en');
    expect(en).toContain('MTTD mean 8m · p90 20m');
    expect(en).toContain('MTTR mean 32m · p90 45m');
    expect(en.at(-1)).toMatch(/^MTTD = problem start \(per the source\) → received · MTTA = received → claimed · MTTR = problem start → end/);
    const zh = reportLines(input, 'zh');
    expect(zh).toContain('MTTD 平均 8分钟 · P90 20分钟');
    expect(zh.at(-1)).toMatch(/^MTTD＝问题开始（来源时间）→ 接收/);
  });
});
