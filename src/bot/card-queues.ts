import type { Logger } from '../log.js';
import type { ChatAdapter, PlatformId } from './chat-adapter.js';
import { ratePolicyOf, SlidingWindow } from './rate-policy.js';

/** What became of one queue item: done, or to be tried again after a wait. */
export type Outcome = { done: true } | { done: false; retryAfterMs: number };
export const DONE: Outcome = { done: true };

/** The prefix of a queue item that is a summary card (the rest is its id) rather than an alert id. */
export const SUMMARY = 'summary:';

export interface ChannelQueue {
  key: string;
  platform: PlatformId;
  channel: string;
  items: string[];
  /** New alerts that will get a card of their own; beyond `foldAfter` they fold. */
  fresh: Set<string>;
  fold: Set<string>;
  /** The head item changed while it was being sent: send it again afterwards. */
  again: boolean;
  running: boolean;
  /** Waiting out a rate limit or a Retry-After. */
  sleeping: boolean;
  window: SlidingWindow;
  /** The adapter said it cannot edit here (`unsupported`): post new messages instead. */
  noEdit?: boolean;
  /** The channel's open summary as last seen (re-read by `_id`, not searched for, at each fold). */
  summaryId?: string;
}

export interface CardQueuesDeps {
  adapters: ReadonlyMap<PlatformId, Pick<ChatAdapter, 'ratePolicy'>>;
  log: Logger;
  /** Waiting (rate limit, Retry-After). Tests pass one that moves a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Brings the channel's copy of one item (an alert id, or SUMMARY + a summary's id) up to date. */
  process: (q: ChannelQueue, item: string) => Promise<Outcome>;
}

/**
 * One queue per channel, drained in order by one worker under the platform's rate limit. An item
 * is at most once in a queue, so a burst of 100 changes to one alert makes a few edits, not 100.
 */
export class CardQueues {
  private readonly queues = new Map<string, ChannelQueue>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly settledWaiters: Array<() => void> = [];
  private readonly sleep: (ms: number) => Promise<void>;
  private stopped = false;

  constructor(private readonly deps: CardQueuesDeps) {
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms).unref()));
  }

  /** Resolves when every queue is empty (tests and graceful stop). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /**
   * Resolves when no queue is doing anything but waiting for time to pass. With a fake clock a
   * test then moves time on; this is how tests step through rate limits without wall-clock sleeps.
   */
  settled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise((r) => this.settledWaiters.push(r));
  }

  /** No queue has work. */
  isIdle(): boolean {
    return [...this.queues.values()].every((q) => !q.running && q.items.length === 0);
  }

  private isSettled(): boolean {
    return [...this.queues.values()].every((q) => q.sleeping || (!q.running && q.items.length === 0));
  }

  private notify(): void {
    if (this.isSettled()) for (const w of this.settledWaiters.splice(0)) w();
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Stops taking work and waits (up to `graceMs`) for sends in flight, so none is cut off between
   * the platform's answer and its record. What is left stays in the database for the next start.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  /** `fresh`: a new alert (own card, or folded beyond `foldAfter`); `fold`: folded whatever the count. */
  enqueue(platform: PlatformId, channel: string, item: string, fresh: boolean, fold = false): void {
    if (this.stopped) return;
    const key = `${platform}|${channel}`;
    let q = this.queues.get(key);
    if (!q) {
      const policy = ratePolicyOf(platform, this.deps.adapters.get(platform));
      q = { key, platform, channel, items: [], fresh: new Set(), fold: new Set(), again: false, running: false, sleeping: false, window: new SlidingWindow(policy) };
      this.queues.set(key, q);
    }
    if (fresh && !item.startsWith(SUMMARY) && !q.fresh.has(item) && !q.fold.has(item)) {
      if (fold || q.fresh.size >= ratePolicyOf(platform, this.deps.adapters.get(platform)).foldAfter) q.fold.add(item);
      else q.fresh.add(item);
    }
    if (q.running && q.items[0] === item) q.again = true;
    else if (!q.items.includes(item)) q.items.push(item);
    if (!q.running) void this.drain(q);
  }

  private async drain(q: ChannelQueue): Promise<void> {
    q.running = true;
    try {
      while (q.items.length && !this.stopped) {
        const item = q.items[0]!;
        q.again = false;
        let outcome: Outcome;
        try {
          outcome = await this.deps.process(q, item);
        } catch (err) {
          // Database or render trouble: keep the item and try again shortly; never drop it.
          this.deps.log.warn({ err, channel: q.key, item }, 'card sync failed; will retry');
          outcome = { done: false, retryAfterMs: 5000 };
        }
        if (!outcome.done) {
          q.sleeping = true;
          this.notify();
          await this.sleep(outcome.retryAfterMs);
          q.sleeping = false;
          continue;
        }
        q.items.shift();
        q.fresh.delete(item);
        q.fold.delete(item);
        if (q.again) q.items.push(item);
      }
    } finally {
      q.running = false;
      q.sleeping = false;
      this.notify();
    }
  }
}
