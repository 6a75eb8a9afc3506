/**
 * Remembers delivery ids for a while, so a platform's redelivery (a Slack retry, a DingTalk
 * callback not acknowledged in time, a puppet replaying after a reconnect) is dropped early in its
 * adapter. The durable check that spans processes is `Deliveries` in the store; this one only
 * saves the round trip. Bounded in size and age.
 */
export class SeenIds {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly max = 10_000,
    private readonly ttlMs = 600_000,
  ) {}

  /** True when `id` was seen within the TTL; records it otherwise. */
  check(id: string, now = Date.now()): boolean {
    for (const [k, at] of this.seen) {
      if (now - at <= this.ttlMs) break;
      this.seen.delete(k);
    }
    const at = this.seen.get(id);
    if (at !== undefined && now - at <= this.ttlMs) return true;
    this.seen.set(id, now);
    if (this.seen.size > this.max) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    return false;
  }
}
