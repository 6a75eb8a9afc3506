import { describe, expect, it } from 'vitest';
import { DueTimer } from '../../../src/jobs/due-timer.js';
import { FakeClock } from '../../support/clock.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('DueTimer wakes at the earliest time asked for, on the injected clock', () => {
  it('an earlier arm wins, a later one waits, and the next time comes from the check', async () => {
    const clock = new FakeClock('2026-11-27T09:00:00Z');
    const ran: number[] = [];
    const dues = [new Date('2026-11-27T09:00:30Z'), new Date('2026-11-27T09:01:00Z')];
    const timer = new DueTimer(clock, clock.sleep, async () => {
      ran.push(clock.now().getTime());
      return dues.shift() ?? null;
    }, (err) => {
      throw err;
    });
    timer.arm(new Date('2026-11-27T09:00:20Z'));
    timer.arm(new Date('2026-11-27T09:00:10Z'));
    timer.arm(new Date('2026-11-27T09:00:50Z'));
    clock.advance(9_000);
    await tick();
    expect(ran).toHaveLength(0);
    clock.advance(1_000);
    await tick();
    expect(ran).toEqual([Date.parse('2026-11-27T09:00:10Z')]);
    clock.advance(20_000);
    await tick();
    clock.advance(30_000);
    await tick();
    expect(ran.map((t) => new Date(t).toISOString().slice(11, 19))).toEqual(['09:00:10', '09:00:30', '09:01:00']);
    timer.stop();
  });

  it('sleeps longer than an hour in steps, never overflowing setTimeout', async () => {
    const clock = new FakeClock('2026-11-27T09:00:00Z');
    let ran = 0;
    const timer = new DueTimer(clock, clock.sleep, async () => (ran++, null), () => {});
    timer.arm(new Date('2026-12-20T09:00:00Z'));
    for (let i = 0; i < 24 * 23 - 1; i++) {
      clock.advanceToNextSleeper();
      await tick();
    }
    expect(ran).toBe(0);
    clock.advanceToNextSleeper();
    await tick();
    expect(ran).toBe(1);
  });
});
