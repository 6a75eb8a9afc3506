import type { PlatformId } from './chat-adapter.js';

/**
 * How many messages (posts and edits) one channel of each platform takes per window, from each
 * platform's published limits. We stay under them rather than lean on 429s: a DingTalk custom
 * robot that exceeds 20/min is throttled for 10 minutes.
 */
export interface RatePolicy {
  count: number;
  perMs: number;
  /** New cards waiting beyond this many are folded into the channel's summary card. */
  foldAfter: number;
}

export const RATE_POLICIES: Record<PlatformId, RatePolicy> = {
  // "about 1 message per second per channel", short bursts tolerated.
  slack: { count: 1, perMs: 1000, foldAfter: 10 },
  dingtalk: { count: 20, perMs: 60_000, foldAfter: 10 },
  'dingtalk-webhook': { count: 19, perMs: 60_000, foldAfter: 10 },
  wechat: { count: 1, perMs: 2000, foldAfter: 10 },
  'wecom-webhook': { count: 19, perMs: 60_000, foldAfter: 10 },
};

/**
 * A sliding window: at most `count` sends in any `perMs`. Pure: the caller passes the time and
 * waits the returned delay itself.
 */
export class SlidingWindow {
  private readonly sent: number[] = [];
  constructor(private readonly policy: Pick<RatePolicy, 'count' | 'perMs'>) {}

  /** Milliseconds to wait before the next send is allowed at `now` (0 = go). */
  delay(now: number): number {
    while (this.sent.length && this.sent[0]! <= now - this.policy.perMs) this.sent.shift();
    if (this.sent.length < this.policy.count) return 0;
    return this.sent[0]! + this.policy.perMs - now;
  }

  record(now: number): void {
    this.sent.push(now);
  }
}
