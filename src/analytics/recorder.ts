import { factPatch, mergePatches, type FactEvent, type FactPatch, type FactSettings } from '../core/analytics.js';
import type { AlertEvent } from '../events.js';
import type { Logger } from '../log.js';
import type { AnalyticsFactStore } from '../store/analytics-facts.js';

export interface RecorderOptions {
  /** Bulk writes in flight at once: analytics must leave SQLite's single writer to ingestion. */
  concurrency?: number;
  /** Facts per bulk write (a storm's new alerts cost one write per batch, not one each). */
  batchSize?: number;
  /**
   * How long facts gather before a write (ms): a storm's repeats of one alert become one write,
   * and its new alerts a few big writes rather than many small ones.
   */
  gatherMs?: number;
  /** Alerts waiting for their fact write; beyond this, events are dropped (and counted). */
  maxPending?: number;
  /** Told of each fact written, or dropped/failed (for the metric). */
  onResult?: (result: 'written' | 'dropped' | 'failed') => void;
}

/**
 * Keeps each alert's analytics fact up to date from the domain events. `onEvent` is synchronous
 * and only queues: ingestion and actions never wait for analytics, and a failed write never
 * reaches them. Writes of one alert are coalesced (a storm of repeats is one write) and go out in
 * order; pending facts go out together in one bulk write, one at a time by default.
 *
 * A fact missed here (a write failed, the process stopped with a queue) is repaired by the alert's
 * next event (the snapshot is whole), or by a rebuild (src/analytics/rebuild.ts).
 */
export class AnalyticsRecorder {
  private readonly pending = new Map<string, FactPatch>();
  private readonly inflight = new Set<string>();
  private readonly queue: string[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly batchSize: number;
  private batches = 0;
  /** Alerts opened in this process whose fact is not written yet: their first write is an insert. */
  private readonly fresh = new Set<string>();
  private readonly gatherMs: number;
  private gathering: NodeJS.Timeout | null = null;
  private readonly maxPending: number;

  constructor(
    private readonly store: AnalyticsFactStore,
    private readonly settingsOf: (team: string) => FactSettings,
    private readonly log: Logger,
    private readonly opts: RecorderOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? 1;
    this.batchSize = opts.batchSize ?? 100;
    this.gatherMs = opts.gatherMs ?? 100;
    this.maxPending = opts.maxPending ?? 10_000;
  }

  readonly onEvent = (event: AlertEvent): void => {
    if (event.type === 'opened' && event.entry.actor.via !== 'maintenance') this.fresh.add(event.alert.id);
    let patch: FactPatch;
    try {
      const paged = pagedBy(event);
      patch = factPatch({ type: event.type, alert: event.alert, previous: 'previous' in event ? event.previous : undefined, ...(paged ? { paged } : {}) }, this.settingsOf);
    } catch (err) {
      this.log.warn({ err, alertId: event.alert.id }, 'analytics fact not computed');
      this.opts.onResult?.('failed');
      return;
    }
    this.enqueue(patch);
  };

  /** Resolves once nothing waits or is being written (tests, shutdown). */
  settled(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((ok) => this.idleWaiters.push(ok));
  }

  isIdle(): boolean {
    return this.queue.length === 0 && this.inflight.size === 0 && this.pending.size === 0;
  }

  private enqueue(patch: FactPatch): void {
    const id = patch.alertId;
    const waiting = this.pending.get(id);
    if (!waiting && this.pending.size >= this.maxPending) {
      this.fresh.delete(id);
      this.opts.onResult?.('dropped');
      this.log.warn({ alertId: id }, 'analytics queue full: fact dropped (rebuild repairs it)');
      return;
    }
    this.pending.set(id, waiting ? mergePatches(waiting, patch) : patch);
    if (!waiting && !this.inflight.has(id)) this.queue.push(id);
    this.pump();
  }

  private pump(): void {
    if (this.gathering || this.batches >= this.concurrency || this.queue.length === 0) return;
    // A full batch goes at once: gathering must not cap how many facts a second can be written.
    if (this.gatherMs <= 0 || this.queue.length >= this.batchSize) return this.write();
    this.gathering = setTimeout(() => {
      this.gathering = null;
      this.write();
    }, this.gatherMs);
    this.gathering.unref?.();
  }

  private write(): void {
    while (this.batches < this.concurrency && this.queue.length > 0) {
      const batch: FactPatch[] = [];
      while (batch.length < this.batchSize && this.queue.length > 0) {
        const id = this.queue.shift()!;
        const patch = this.pending.get(id);
        if (!patch) continue;
        this.pending.delete(id);
        this.inflight.add(id);
        batch.push(patch);
      }
      if (batch.length === 0) return;
      this.batches++;
      this.store
        .applyMany(batch, this.fresh)
        .then(
          (outcomes) =>
            outcomes.forEach((o, i) => {
              const p = batch[i]!;
              if (o !== 'exists') return this.done(p.alertId, o === 'written' ? undefined : new Error('fact write failed'));
              // Its fact was there already (a rebuild wrote it): the patch goes again as an update.
              const later = this.pending.get(p.alertId);
              this.pending.set(p.alertId, later ? mergePatches(p, later) : p);
            }),
          (err: unknown) => batch.forEach((p) => this.done(p.alertId, err)),
        )
        .finally(() => {
          this.batches--;
          for (const p of batch) {
            this.fresh.delete(p.alertId);
            this.inflight.delete(p.alertId);
            if (this.pending.has(p.alertId)) this.queue.push(p.alertId);
          }
          this.pump();
          if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  private done(alertId: string, err?: unknown): void {
    if (!err) return this.opts.onResult?.('written');
    this.opts.onResult?.('failed');
    this.log.warn({ err, alertId }, 'analytics fact not written (its next event or a rebuild repairs it)');
  }
}

/**
 * Whom an event paged, for the fair-load figures: the people an escalation step reached, and the
 * owner an ack timeout @-mentions as it takes their claim back (src/core/ack-timeout.ts).
 */
export function pagedBy(event: AlertEvent): FactEvent['paged'] | undefined {
  if (event.type === 'escalated' && event.paged?.members.length) return { id: event.paged.step, members: event.paged.members, at: event.entry.at };
  if (event.type === 'reopened' && event.entry.actor.via === 'ack-timeout' && event.previous.owner?.memberId) {
    return { id: `ack:${event.previous.owner.at.toISOString()}`, members: [event.previous.owner.memberId], at: event.entry.at };
  }
  return undefined;
}
