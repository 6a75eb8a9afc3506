import { describe, expect, it } from 'vitest';
import { allowedActions, decide } from '../../../src/core/lifecycle.js';
import type { Actor } from '../../../src/core/types.js';

const now = new Date('2026-11-27T09:41:00Z');
const zhang: Actor = { kind: 'member', memberId: 'zhang', name: '张三', via: 'slack', channel: 'C1' };
const fresh = { state: 'triggered' as const, firstSeenAt: new Date('2026-11-27T09:40:00Z'), escalationLevel: 0 };

describe('alert state machine', () => {
  it('claims a triggered alert and measures time to claim', () => {
    const d = decide(fresh, { kind: 'claim' }, zhang, now);
    expect(d).toMatchObject({ ok: true, timeline: 'claimed', set: { state: 'acknowledged', secondsToClaim: 60, owner: { name: '张三', via: 'slack' } } });
  });

  it('refuses a second claim naming the owner', () => {
    const claimed = { ...fresh, state: 'acknowledged' as const, owner: { memberId: 'li', name: '李四', at: now, via: 'rest' } };
    expect(decide(claimed, { kind: 'claim' }, zhang, now)).toEqual({ ok: false, code: 'already-claimed', reason: 'already claimed by 李四' });
  });

  it('refuses everything on a resolved alert', () => {
    const resolved = { ...fresh, state: 'resolved' as const, resolvedBy: { kind: 'source' as const, name: 'prometheus', via: 'alertmanager' } };
    for (const kind of ['claim', 'resolve', 'escalate'] as const) {
      expect(decide(resolved, { kind } as never, zhang, now)).toMatchObject({ ok: false, reason: 'already resolved by prometheus' });
    }
    expect(allowedActions('resolved')).toEqual([]);
  });

  it('reassigning an unclaimed alert counts as its claim', () => {
    const d = decide(fresh, { kind: 'reassign', to: { memberId: 'li', name: '李四' }, reason: 'DB' }, zhang, now);
    expect(d).toMatchObject({ ok: true, set: { state: 'acknowledged', owner: { memberId: 'li' }, secondsToClaim: 60 }, text: '→ 李四: DB' });
  });

  it('escalation raises the level and keeps the state', () => {
    const d = decide({ ...fresh, escalationLevel: 2 }, { kind: 'escalate' }, zhang, now);
    expect(d).toMatchObject({ ok: true, set: { escalationLevel: 3 }, timeline: 'escalated' });
    expect(d.ok && d.set.state).toBeFalsy();
  });

  it('never measures negative durations', () => {
    const d = decide({ ...fresh, firstSeenAt: new Date('2026-11-28T00:00:00Z') }, { kind: 'resolve' }, zhang, now);
    expect(d).toMatchObject({ ok: true, set: { secondsToResolve: 0 } });
  });
});
