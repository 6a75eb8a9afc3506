import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../../src/bot/rate-policy.js';

describe('sliding window rate limit', () => {
  it('lets 20 through in a minute, then waits until the oldest leaves the window', () => {
    const w = new SlidingWindow({ count: 20, perMs: 60_000 });
    for (let i = 0; i < 20; i++) {
      expect(w.delay(i * 1000)).toBe(0);
      w.record(i * 1000);
    }
    expect(w.delay(20_000)).toBe(40_000);
    expect(w.delay(60_000)).toBe(0);
  });

  it('spaces one-per-second sends', () => {
    const w = new SlidingWindow({ count: 1, perMs: 1000 });
    w.record(0);
    expect(w.delay(250)).toBe(750);
    expect(w.delay(1000)).toBe(0);
  });
});
