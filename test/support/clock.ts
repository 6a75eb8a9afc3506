import type { Clock } from '../../src/core/clock.js';

/**
 * A clock the test moves by hand. `sleep` waits on this clock, not the wall: code given
 * `clock.sleep` (the card sender's rate limits) goes on only when the test advances time.
 */
export class FakeClock implements Clock {
  private t: number;
  private sleepers: Array<{ at: number; wake: () => void }> = [];

  constructor(start: string | Date = '2026-11-27T09:00:00Z') {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.wake();
  }
  set(at: string | Date): void {
    this.advance(new Date(at).getTime() - this.t);
  }
  readonly sleep = (ms: number): Promise<void> =>
    new Promise((wake) => {
      if (ms <= 0) return wake();
      this.sleepers.push({ at: this.t + ms, wake });
    });
  /** Moves time to the next sleeper's wake-up; false when nobody sleeps. */
  advanceToNextSleeper(): boolean {
    if (this.sleepers.length === 0) return false;
    const next = Math.min(...this.sleepers.map((s) => s.at));
    this.advance(next - this.t);
    return true;
  }
}
