import { describe, expect, it } from 'vitest';
import { escalationPolicySchema } from '../../../src/config/schema.js';
import { afterFired, dueLevel, jumpNow, pause, progress, resume, snapshotPolicy, startEscalation, type AlertEscalation } from '../../../src/core/escalation.js';
import { resolveStep } from '../../../src/core/escalation-targets.js';

const MIN = 60_000;
const t0 = new Date('2026-11-27T09:00:00Z');
const at = (min: number): Date => new Date(t0.getTime() + min * MIN);
const policy = snapshotPolicy(
  escalationPolicySchema.parse({
    id: 'crit',
    levels: [
      { after: '0s', notify: [{ team: 'ops', via: ['chat'] }] },
      { after: '5m', notify: [{ schedule: 'primary', via: ['sms', 'voice'] }] },
      { after: '10m', notify: [{ schedule: 'secondary', via: ['voice'] }] },
    ],
    repeat: 1,
  }),
);
const open = { state: 'triggered' };

/** Fires every due level up to `until`, returning (minute, level, cycle) of each. */
function run(esc: AlertEscalation, until: number): Array<[number, number, number]> {
  const fired: Array<[number, number, number]> = [];
  for (let m = 0; m <= until; m++) {
    let d = dueLevel(esc, open, at(m));
    while (d) {
      fired.push([m, d.level, d.cycle]);
      esc = afterFired(esc, at(m));
      d = dueLevel(esc, open, at(m));
    }
  }
  return fired;
}

describe('escalation plan', () => {
  it('fires each level at its time, then repeats the whole policy one last gap later', () => {
    expect(run(startEscalation(policy, t0, 'tok'), 40)).toEqual([
      [0, 1, 1],
      [5, 2, 1],
      [10, 3, 1],
      [15, 1, 2],
      [20, 2, 2],
      [25, 3, 2],
    ]);
  });

  it('a claimed or resolved alert fires nothing; a stale ref fires nothing', () => {
    const esc = afterFired(startEscalation(policy, t0, 'tok'), t0);
    expect(dueLevel(esc, { state: 'acknowledged' }, at(6))).toBeNull();
    expect(dueLevel(esc, { state: 'resolved' }, at(6))).toBeNull();
    expect(dueLevel(esc, open, at(6), { token: 'tok', cycle: 1, level: 3 })).toBeNull();
    expect(dueLevel(esc, open, at(6), { token: 'old', cycle: 1, level: 2 })).toBeNull();
    expect(dueLevel(esc, open, at(6), { token: 'tok', cycle: 1, level: 2 })?.level).toBe(2);
  });

  it('a mute pauses it; after the unmute the rest of the wait is counted from the unmute', () => {
    let esc = afterFired(startEscalation(policy, t0, 'tok'), t0); // level 2 due at 5
    esc = pause(esc, at(2)); // 3 min left
    expect(dueLevel(esc, open, at(6))).toBeNull();
    esc = resume(esc, at(10));
    expect(esc.nextAt).toEqual(at(13));
    expect(dueLevel(esc, { state: 'triggered', mutedUntil: at(20) }, at(14))).toBeNull();
  });

  it('manual escalate makes the next level due now; the following levels keep their spacing', () => {
    let esc = afterFired(startEscalation(policy, t0, 'tok'), t0);
    esc = jumpNow(esc, at(1))!;
    expect(dueLevel(esc, open, at(1))?.level).toBe(2);
    esc = afterFired(esc, at(1));
    expect(esc.nextAt).toEqual(at(6));
    expect(progress(esc, open, at(2))).toEqual({ level: 2, of: 3, nextInMs: 4 * MIN });
  });

  it('sms with voice as fallback is one row per person; chat on a team brings its channels in', () => {
    const fx = resolveStep(
      { alertId: 'a1', token: 'tok', cycle: 1, level: 2 },
      [
        { schedule: 'primary', via: ['sms', 'voice', 'mention'] },
        { team: 'dba', via: ['chat', 'email'] },
      ],
      { onCall: (s) => (s === 'primary' ? 'zhang' : null), team: () => ({ members: ['li', 'wang'] }) },
    );
    expect(fx.teams).toEqual(['dba']);
    expect(fx.mentions).toEqual(['zhang']);
    expect(fx.messages).toEqual([
      { _id: 'esc:a1:tok:1:2:0:zhang:sms', method: 'sms', fallback: ['voice'], memberId: 'zhang' },
      { _id: 'esc:a1:tok:1:2:1:li:email', method: 'email', fallback: [], memberId: 'li' },
      { _id: 'esc:a1:tok:1:2:1:wang:email', method: 'email', fallback: [], memberId: 'wang' },
    ]);
  });
});
