import type { Clock } from '../core/clock.js';

/**
 * At most `max` hits per key within `windowMs`, on the injected clock. In memory: it guards one
 * process against floods of sign-in requests; a restart forgetting it costs nothing worth a write.
 */
export class RateLimit {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Counts a hit; false (and not counted) when the key is over its limit. */
  take(key: string): boolean {
    const now = this.clock.now().getTime();
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.max) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(now);
    this.hits.set(key, recent);
    // Keys of the past are dropped now and then, so that many distinct keys cannot grow the map for ever.
    if (this.hits.size > 10_000) for (const [k, v] of this.hits) if (v.every((t) => t <= now - this.windowMs)) this.hits.delete(k);
    return true;
  }
}
