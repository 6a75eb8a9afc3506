import { describe, expect, it } from 'vitest';
import { ackOutcome, armAckTimeout, decideSnooze, pauseAck, resumeAck } from '../../../src/core/ack-timeout.js';
import { dueLevel, startEscalation, type AlertEscalation, type EscalationSnapshot } from '../../../src/core/escalation.js';
import { holdPlan, releasePlan } from '../../../src/core/maintenance-hold.js';

const MIN = 60_000;
const T0 = new Date('2026-11-27T09:00:00Z');
const at = (m: number) => new Date(T0.getTime() + m * MIN);
const policy: EscalationSnapshot = { policyId: 'p', levels: [{ afterMs: 0, notify: [] }, { afterMs: 5 * MIN, notify: [] }], repeat: 0, ackTimeoutMs: 10 * MIN, snoozeMaxMs: 60 * MIN };
const owner = { memberId: 'li', name: '李四', at: at(2), via: 'slack' };
const claimed = { state: 'acknowledged', owner };
const key = at(2).toISOString();

const fired = (): AlertEscalation => ({ ...startEscalation(policy, T0, 'tok1'), firedLevel: 1, level: 2, nextAt: at(5) });
const claimedPlan = (): AlertEscalation => armAckTimeout(fired(), claimed);

describe('the ack deadline pauses (mute, maintenance) and resumes with the time that was left', () => {
  it('paused at 4 with 8 minutes left: never fires while paused; resumed at 20, due at 28', () => {
    const paused = pauseAck(claimedPlan(), at(4));
    expect(paused.ack).toMatchObject({ pausedRemainingMs: 8 * MIN });
    expect(ackOutcome(paused, claimed, at(30), key)).toBe('stale');
    expect(pauseAck(paused, at(10))).toBe(paused); // a second pause keeps the first remainder
    const resumed = resumeAck(paused, at(20));
    expect(resumed.ack).toEqual({ ...claimedPlan().ack, dueAt: at(28) });
    expect(ackOutcome(resumed, claimed, at(27), key)).toBe('early');
    expect(ackOutcome(resumed, claimed, at(28), key)).toBe('fire');
  });

  it('a snooze of a paused deadline stays paused, with the snoozed time as what is left', () => {
    const d = decideSnooze(pauseAck(claimedPlan(), at(4)), claimed, { memberId: 'li' }, 20 * MIN, at(5));
    expect(d.ok && d.escalation.ack).toMatchObject({ pausedRemainingMs: 20 * MIN });
  });

  it('nothing fires for an alert in maintenance, whatever its stored plan says', () => {
    expect(dueLevel(fired(), { state: 'triggered', maintenance: { windowId: '1' } }, at(6))).toBeNull();
    expect(dueLevel(fired(), { state: 'triggered' }, at(6))).not.toBeNull();
    expect(ackOutcome(claimedPlan(), { ...claimed, maintenance: { windowId: '1' } }, at(30), key)).toBe('stale');
  });
});

describe('holding and releasing a plan (maintenance windows)', () => {
  it('held at 2: the next step keeps its 3 minutes; released at 62 while triggered: a new run from level 1, due at once', () => {
    const held = holdPlan(fired(), at(2));
    expect(held).toMatchObject({ pausedRemainingMs: 3 * MIN, level: 2 });
    expect(held.nextAt).toBeUndefined();
    const released = releasePlan(held, undefined, { state: 'triggered' }, at(62), 'tok2')!;
    expect(released).toEqual({ policy, token: 'tok2', cycle: 1, level: 1, nextAt: at(62) });
  });

  it('released while muted: the new run waits for the unmute', () => {
    const released = releasePlan(holdPlan(fired(), at(2)), undefined, { state: 'triggered', mutedUntil: at(90) }, at(62), 'tok2')!;
    expect(released).toMatchObject({ level: 1, pausedRemainingMs: 0 });
    expect(released.nextAt).toBeUndefined();
  });

  it('a claimed alert keeps its claim; its ack deadline resumes with what was left', () => {
    const released = releasePlan(holdPlan(claimedPlan(), at(4)), undefined, claimed, at(34), 'tok2')!;
    expect(released.token).toBe('tok1');
    expect(released.ack).toMatchObject({ dueAt: at(42) });
    expect(released.ack!.pausedRemainingMs).toBeUndefined();
  });

  it('an alert that opened inside the window has no plan: it gets the policy from level 1', () => {
    expect(releasePlan(undefined, policy, { state: 'triggered' }, at(62), 'tok3')).toEqual({ policy, token: 'tok3', cycle: 1, level: 1, nextAt: at(62) });
    expect(releasePlan(undefined, undefined, { state: 'triggered' }, at(62), 'tok3')).toBeUndefined();
  });
});
