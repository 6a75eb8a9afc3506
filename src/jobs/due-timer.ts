import type { Clock } from '../core/clock.js';

/** Sleeps are capped: setTimeout overflows past ~24.8 days, and a long sleep wakes, finds nothing, and sleeps again. */
const MAX_SLEEP_MS = 3_600_000;

/**
 * An in-process wake-up at the earliest time anyone asked for, on an injected clock and sleep (a
 * fake clock's sleep in tests), so checks run on time without polling. `arm(at)` asks to be woken
 * at `at`; `onDue` runs once the time is reached and returns the next time it wants (or null).
 * A later, earlier `arm` starts a new sleep; the older one wakes to find it is stale.
 *
 * This is the fast path only: the truth (due times) lives in MongoDB and an Agenda job sweeps it
 * too, so a lost timer delays a check, never loses it.
 */
export class DueTimer {
  private armedAt: number | null = null;
  private generation = 0;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly onDue: () => Promise<Date | null>,
    private readonly onError: (err: unknown) => void,
  ) {}

  arm(at: Date | null): void {
    if (this.stopped || at === null) return;
    const t = at.getTime();
    if (this.armedAt !== null && this.armedAt <= t) return;
    this.armedAt = t;
    const gen = ++this.generation;
    const wait = Math.max(0, Math.min(t - this.clock.now().getTime(), MAX_SLEEP_MS));
    void this.sleep(wait).then(() => this.wake(gen));
  }

  stop(): void {
    this.stopped = true;
  }

  private async wake(gen: number): Promise<void> {
    if (this.stopped || gen !== this.generation) return;
    const armed = this.armedAt;
    if (armed !== null && armed > this.clock.now().getTime()) {
      // Woken early (a capped sleep): sleep on towards the same time.
      this.armedAt = null;
      this.arm(new Date(armed));
      return;
    }
    this.armedAt = null;
    if (this.running) {
      this.again = true; // the run in progress goes round once more
      return;
    }
    this.running = true;
    let next: Date | null = null;
    do {
      this.again = false;
      try {
        next = await this.onDue();
      } catch (err) {
        this.onError(err);
        next = new Date(this.clock.now().getTime() + 5000);
      }
    } while (this.again && !this.stopped);
    this.running = false;
    this.arm(next);
  }
}
