import type { ChatAdapter, PlatformId } from './chat-adapter.js';

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
  /** A second, shorter limit some platforms also keep (a Feishu custom bot: 5 a second). */
  burst?: { count: number; perMs: number };
}

export const RATE_POLICIES = {
  // "about 1 message per second per channel", short bursts tolerated.
  slack: { count: 1, perMs: 1000, foldAfter: 10 },
  dingtalk: { count: 20, perMs: 60_000, foldAfter: 10 },
  'dingtalk-webhook': { count: 19, perMs: 60_000, foldAfter: 10 },
  wechat: { count: 1, perMs: 2000, foldAfter: 10 },
  'wecom-webhook': { count: 19, perMs: 60_000, foldAfter: 10 },
} as const satisfies Partial<Record<PlatformId, RatePolicy>>;

/** For a platform that declares no policy: about one message a second, as most chat APIs take. */
export const DEFAULT_RATE_POLICY: RatePolicy = { count: 1, perMs: 1000, foldAfter: 10 };

/** The policy of a channel of `platform`: the adapter's own, else the built-in one, else the default. */
export function ratePolicyOf(platform: PlatformId, adapter?: Pick<ChatAdapter, 'ratePolicy'>): RatePolicy {
  const builtIn: Partial<Record<PlatformId, RatePolicy>> = RATE_POLICIES;
  return adapter?.ratePolicy ?? builtIn[platform] ?? DEFAULT_RATE_POLICY;
}

/**
 * A sliding window: at most `count` sends in any `perMs` (and at most `burst.count` in any
 * `burst.perMs`). Pure: the caller passes the time and waits the returned delay itself.
 */
export class SlidingWindow {
  private readonly sent: number[] = [];
  constructor(private readonly policy: Pick<RatePolicy, 'count' | 'perMs' | 'burst'>) {}

  /** Milliseconds to wait before the next send is allowed at `now` (0 = go). */
  delay(now: number): number {
    while (this.sent.length && this.sent[0]! <= now - this.policy.perMs) this.sent.shift();
    let wait = this.sent.length < this.policy.count ? 0 : this.sent[0]! + this.policy.perMs - now;
    const burst = this.policy.burst;
    if (burst) {
      // `sent` keeps the long window, which is never shorter than the burst's (see the policies).
      const recent = this.sent.filter((t) => t > now - burst.perMs);
      if (recent.length >= burst.count) wait = Math.max(wait, recent[recent.length - burst.count]! + burst.perMs - now);
    }
    return wait;
  }

  record(now: number): void {
    this.sent.push(now);
  }
}
