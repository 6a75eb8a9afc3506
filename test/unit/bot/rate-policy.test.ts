import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_POLICY, RATE_POLICIES, ratePolicyOf, SlidingWindow } from '../../../src/bot/rate-policy.js';

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

  it('keeps a second, shorter limit too: 5 a second within 100 a minute', () => {
    const w = new SlidingWindow({ count: 100, perMs: 60_000, burst: { count: 5, perMs: 1000 } });
    for (let i = 0; i < 5; i++) {
      expect(w.delay(i * 10)).toBe(0);
      w.record(i * 10);
    }
    // The sixth waits for the first to leave the one-second window.
    expect(w.delay(50)).toBe(950);
    let t = 1000;
    for (let i = 5; i < 100; i++) {
      t += w.delay(t);
      w.record(t);
    }
    // 100 sent within the minute: the 101st waits for the minute, not just the second.
    expect(w.delay(t + 1000)).toBe(60_000 - (t + 1000));
  });
});

describe('whose rate policy a channel follows', () => {
  it('an adapter may declare its own; the platforms dutybot started with keep theirs; others get one a second', () => {
    const own = { count: 3, perMs: 1000, foldAfter: 4 };
    expect(ratePolicyOf('slack', { ratePolicy: own })).toBe(own);
    expect(ratePolicyOf('dingtalk-webhook', {})).toEqual(RATE_POLICIES['dingtalk-webhook']);
    expect(ratePolicyOf('unknown-platform' as never)).toBe(DEFAULT_RATE_POLICY);
  });
});
