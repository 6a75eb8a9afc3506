import { describe, expect, it } from 'vitest';
import { ackOutcome, ackTimeoutReason, armAckTimeout, decideSnooze, restartAfterAckTimeout } from '../../../src/core/ack-timeout.js';
import { decide } from '../../../src/core/lifecycle.js';
import { startEscalation, type AlertEscalation, type EscalationSnapshot } from '../../../src/core/escalation.js';

const MIN = 60_000;
const T0 = new Date('2026-11-27T09:00:00Z');
const at = (m: number) => new Date(T0.getTime() + m * MIN);
const policy: EscalationSnapshot = { policyId: 'p', levels: [{ afterMs: 0, notify: [] }, { afterMs: 5 * MIN, notify: [] }], repeat: 0, ackTimeoutMs: 10 * MIN, snoozeMaxMs: 60 * MIN };
const owner = { memberId: 'li', name: '李四', at: at(2), via: 'slack' };
const claimed = { state: 'acknowledged', owner };

function plan(p = policy): AlertEscalation {
  return armAckTimeout({ ...startEscalation(p, T0, 'tok1'), firedLevel: 1, level: 2 }, claimed);
}

describe('ack timeout (pure)', () => {
  it('a claim under a policy with ackTimeout gets a deadline keyed on the claim', () => {
    expect(plan().ack).toEqual({ key: at(2).toISOString(), dueAt: at(12), ownerName: '李四', ownerId: 'li', claimedAt: at(2) });
    expect(plan({ ...policy, ackTimeoutMs: undefined }).ack).toBeUndefined();
  });

  it('fires only when due and only for the claim it was armed for', () => {
    const esc = plan();
    const key = at(2).toISOString();
    expect(ackOutcome(esc, claimed, at(11), key)).toBe('early');
    expect(ackOutcome(esc, claimed, at(12), key)).toBe('fire');
    expect(ackOutcome(esc, { state: 'resolved', owner }, at(12), key)).toBe('stale');
    expect(ackOutcome(esc, { state: 'acknowledged', owner: { ...owner, at: at(8) } }, at(12), key)).toBe('stale');
    expect(ackOutcome(esc, claimed, at(12), 'another')).toBe('stale');
  });

  it('the restart starts a new run from level 1, timed from now, mentioning the previous owner', () => {
    const esc = plan();
    const reason = ackTimeoutReason(esc.ack!, at(12));
    expect(reason).toBe("no resolution within 10 min of 李四's claim");
    const next = restartAfterAckTimeout(esc, at(12), 'tok2', reason);
    expect(next).toMatchObject({ token: 'tok2', cycle: 1, level: 1, nextAt: at(12), mentions: ['li'], restartedBecause: reason, timedOutClaim: { ownerName: '李四', minutes: 10 } });
    expect(next.ack).toBeUndefined();
    expect(next.firedLevel).toBeUndefined();
  });

  it('snooze: only the owner, within snoozeMax, only with an ack timeout', () => {
    const esc = plan();
    const ok = decideSnooze(esc, claimed, { memberId: 'li' }, 20 * MIN, at(11));
    expect(ok).toMatchObject({ ok: true, dueAt: at(31) });
    expect(ok.ok && ok.escalation.ack?.dueAt).toEqual(at(31));
    expect(decideSnooze(esc, claimed, { memberId: 'zhang' }, 20 * MIN, at(11))).toEqual({ ok: false, code: 'not-owner' });
    expect(decideSnooze(esc, claimed, { memberId: 'li' }, 61 * MIN, at(11))).toEqual({ ok: false, code: 'too-long', maxMs: 60 * MIN });
    expect(decideSnooze(esc, claimed, { memberId: 'li' }, 60 * MIN, at(11)).ok).toBe(true);
    expect(decideSnooze(plan({ ...policy, ackTimeoutMs: undefined }), claimed, { memberId: 'li' }, MIN, at(11))).toEqual({ ok: false, code: 'no-ack-timeout' });
    expect(decideSnooze(esc, { state: 'triggered' }, { memberId: 'li' }, MIN, at(11))).toEqual({ ok: false, code: 'not-claimed' });
  });

  it('lifecycle: unclaim returns a claimed alert to triggered, only for the claim it names', () => {
    const alert = { state: 'acknowledged' as const, owner, claimedAt: at(2), firstSeenAt: T0, escalationLevel: 1 };
    const actor = { kind: 'system' as const, name: 'dutybot', via: 'ack-timeout' };
    const d = decide(alert, { kind: 'unclaim', ownerAt: at(2), reason: 'r' }, actor, at(12));
    expect(d).toEqual({ ok: true, set: { state: 'triggered' }, unset: ['owner'], timeline: 'reopened', text: 'r' });
    expect(decide(alert, { kind: 'unclaim', ownerAt: at(3), reason: 'r' }, actor, at(12)).ok).toBe(false);
    expect(decide({ ...alert, state: 'resolved' }, { kind: 'unclaim', ownerAt: at(2), reason: 'r' }, actor, at(12)).ok).toBe(false);
  });
});

describe('ackTimeout and snoozeMax in the config', () => {
  const yaml = (policy: string) => `
members: [{ id: bob, name: Bob }]
teams: [{ id: ops, name: Ops, members: [bob], escalationPolicy: p }]
escalationPolicies:
  - id: p
    levels: [{ after: 0s, notify: [{ member: bob, via: [sms] }] }]
${policy}
`;
  it('defaults snoozeMax to 4h; refuses an ack timeout or a limit out of 1m…7d', async () => {
    const { parseConfig } = await import('../../../src/config/load.js');
    expect(parseConfig(yaml('    ackTimeout: 30m')).escalationPolicies[0]).toMatchObject({ ackTimeout: '30m', snoozeMax: '4h' });
    expect(() => parseConfig(yaml('    ackTimeout: 10s'))).toThrow('escalationPolicies[0].ackTimeout: between 1m and 7d');
    expect(() => parseConfig(yaml('    ackTimeout: 30m\n    snoozeMax: 8d'))).toThrow('escalationPolicies[0].snoozeMax: between 1m and 7d');
    expect(() => parseConfig(yaml('    ackTimeout: soon'))).toThrow(/escalationPolicies\[0\]\.ackTimeout/);
  });
});
