import type { Agenda } from 'agenda';
import { Gauge, Histogram } from 'prom-client';
import { dueAfterStart, heartbeatDedupKey, heartbeatSpecs, missedTitle, wallTime, type HeartbeatSpec } from '../core/heartbeat.js';
import type { NormalizedEvent } from '../core/types.js';
import { ingest } from '../ingest/ingest.js';
import { ingestContext } from '../ingest/context.js';
import type { Runtime } from '../runtime.js';
import type { HeartbeatDoc, HeartbeatStore } from '../store/heartbeats.js';
import { KeyedLock } from '../store/keyed-lock.js';
import { DueTimer } from './due-timer.js';
import { HEARTBEAT_INTEGRATION, type HeartbeatRow, type Heartbeats, type PingResult } from './heartbeat-types.js';

export const HEARTBEAT_SWEEP_JOB = 'heartbeat-sweep';
const FIRE_CONCURRENCY = 16;
/**
 * Dead man's switches. Each heartbeat's due time lives on its document (`heartbeats`, `_id` = name);
 * an in-process {@link DueTimer} wakes the check on time (within milliseconds, on the injected
 * clock), and an Agenda job sweeps every minute as the durable backstop. A missed heartbeat opens
 * ONE alert through the normal ingestion path (routes, maintenance and escalation apply) and is
 * then `down` until the next ping, which resolves that alert. Checks and pings of one heartbeat
 * are serialised in this process, and firing is idempotent (the alert's dedup key is fixed).
 */
export class HeartbeatMonitor implements Heartbeats {
  readonly specs: ReadonlyMap<string, HeartbeatSpec>;
  private readonly docs = new Map<string, HeartbeatDoc>();
  private readonly lock = new KeyedLock();
  private readonly timer: DueTimer;
  private lateness!: Histogram;
  /** Told how late (ms) each missed heartbeat's check began, after its due time (bench/heartbeats.ts). */
  onLateness?: (ms: number, name: string) => void;

  constructor(
    private readonly rt: Runtime,
    private readonly store: HeartbeatStore,
    sleep: (ms: number) => Promise<void>,
  ) {
    this.specs = new Map(heartbeatSpecs(rt.config).map((s) => [s.name, s]));
    this.timer = new DueTimer(rt.clock, sleep, () => this.check(), (err) => rt.log.error({ err }, 'heartbeat check failed'));
    this.registerMetrics();
  }

  /** Loads (or creates) every heartbeat's document; after a restart each gets one full interval. */
  async start(): Promise<void> {
    const now = this.rt.clock.now();
    const stored = new Map((await this.store.all()).map((d) => [d._id, d]));
    for (const spec of this.specs.values()) {
      const doc = stored.get(spec.name);
      if (!doc) {
        const fresh: HeartbeatDoc = { _id: spec.name, state: 'up', dueAt: new Date(now.getTime() + spec.intervalMs + spec.graceMs), watchingSince: now };
        await this.store.insert(fresh);
        this.docs.set(spec.name, fresh);
        continue;
      }
      if (doc.state === 'up') {
        const dueAt = dueAfterStart(doc.dueAt, now, spec.intervalMs);
        if (dueAt.getTime() !== doc.dueAt.getTime()) await this.store.set(spec.name, { dueAt });
        doc.dueAt = dueAt;
      }
      this.docs.set(spec.name, doc);
    }
    this.timer.arm(this.nextDue());
  }

  stop(): void {
    this.timer.stop();
  }

  /** The Agenda backstop: a sweep every minute runs the same (idempotent) check. */
  async schedule(agenda: Agenda): Promise<void> {
    agenda.define(HEARTBEAT_SWEEP_JOB, async () => {
      await this.check();
    });
    await agenda.every('1 minute', HEARTBEAT_SWEEP_JOB);
  }

  /** A ping: the heartbeat is up again until `interval + grace` from now; a missed one's alert resolves. */
  async ping(name: string, via: string): Promise<PingResult> {
    const spec = this.specs.get(name);
    if (!spec) return { ok: false, reason: 'unknown' };
    return this.lock.run(name, async () => {
      const now = this.rt.clock.now();
      const doc = this.docs.get(name) ?? { _id: name, state: 'up' as const, dueAt: now, watchingSince: now };
      const wasDown = doc.state === 'down';
      const next: HeartbeatDoc = { ...doc, state: 'up', lastPingAt: now, dueAt: new Date(now.getTime() + spec.intervalMs + spec.graceMs) };
      delete next.downAt;
      if (wasDown) await this.resolveAlert(spec, doc, now, via);
      await this.store.set(name, { state: 'up', lastPingAt: now, dueAt: next.dueAt }, ['downAt']);
      this.docs.set(name, next);
      this.timer.arm(next.dueAt);
      return { ok: true, resolved: wasDown, state: this.stateOf(spec, next, now) };
    });
  }

  /** Pings every heartbeat fed by this integration's Watchdog alert. */
  async pingIntegration(integration: string): Promise<number> {
    let n = 0;
    for (const spec of this.specs.values()) {
      if (spec.integration !== integration) continue;
      await this.ping(spec.name, `watchdog:${integration}`);
      n++;
    }
    return n;
  }

  /** Pauses one heartbeat: it cannot fire before `until`, and gets one full interval after it. */
  async pause(name: string, until: Date, by: string): Promise<boolean> {
    const spec = this.specs.get(name);
    if (!spec) return false;
    await this.lock.run(name, async () => {
      const doc = this.docs.get(name)!;
      const dueAt = new Date(Math.max(doc.dueAt.getTime(), until.getTime() + spec.intervalMs));
      await this.store.set(name, { pausedUntil: until, pausedBy: by, dueAt });
      this.docs.set(name, { ...doc, pausedUntil: until, pausedBy: by, dueAt });
    });
    return true;
  }

  /**
   * Fires every heartbeat that is due; returns when the next one is due (for the timer). Due
   * heartbeats fire side by side (up to FIRE_CONCURRENCY): each is an ingestion of several writes,
   * and one after another a burst of misses would make the last ones late by seconds.
   */
  async check(): Promise<Date | null> {
    const now = this.rt.clock.now();
    const due = [...this.specs.values()].filter((spec) => {
      const doc = this.docs.get(spec.name);
      if (!spec.enabled || !doc || doc.state !== 'up' || doc.dueAt > now) return false;
      return !(doc.pausedUntil && doc.pausedUntil > now);
    });
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const spec = due[next++]!;
        await this.lock.run(spec.name, async () => {
          const current = this.docs.get(spec.name)!;
          if (current.state !== 'up' || current.dueAt > this.rt.clock.now()) return; // a ping came first
          await this.fire(spec, current);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(FIRE_CONCURRENCY, due.length) }, worker));
    return this.nextDue();
  }

  list(): HeartbeatRow[] {
    const now = this.rt.clock.now();
    return [...this.specs.values()].map((spec) => {
      const doc = this.docs.get(spec.name);
      return { spec, doc, state: this.stateOf(spec, doc, now) };
    });
  }

  private stateOf(spec: HeartbeatSpec, doc: HeartbeatDoc | undefined, now: Date): HeartbeatRow['state'] {
    if (!spec.enabled) return 'disabled';
    if (doc?.state === 'down') return 'down';
    if (doc?.pausedUntil && doc.pausedUntil > now) return 'paused';
    return 'up';
  }

  private nextDue(): Date | null {
    let next: Date | null = null;
    for (const spec of this.specs.values()) {
      const doc = this.docs.get(spec.name);
      if (!spec.enabled || !doc || doc.state !== 'up') continue;
      const at = doc.pausedUntil && doc.pausedUntil > doc.dueAt ? doc.pausedUntil : doc.dueAt;
      if (!next || at < next) next = at;
    }
    return next;
  }

  /**
   * Opens the alert first, then records `down`: a crash between the two opens it again at the next
   * check, which dedup turns into a repeat of the same alert, never a second one.
   */
  private async fire(spec: HeartbeatSpec, doc: HeartbeatDoc): Promise<void> {
    const now = this.rt.clock.now();
    const late = now.getTime() - doc.dueAt.getTime();
    this.lateness.observe(late / 1000);
    this.onLateness?.(late, spec.name);
    const since = doc.lastPingAt ?? doc.watchingSince;
    const { locale, timeZone } = this.rt.config;
    const event: NormalizedEvent = {
      eventType: 'trigger',
      dedupKey: heartbeatDedupKey(spec.name),
      title: missedTitle(spec.name, since, timeZone, locale),
      severity: spec.severity,
      description:
        locale === 'en'
          ? `Expected a ping every ${Math.round(spec.intervalMs / 1000)} s (grace ${Math.round(spec.graceMs / 1000)} s). The next ping resolves this alert.`
          : `应每 ${Math.round(spec.intervalMs / 1000)} 秒收到一次心跳（宽限 ${Math.round(spec.graceMs / 1000)} 秒）。下一次心跳到达时此告警自动关闭。`,
      labels: [{ name: 'heartbeat', value: spec.name }, ...spec.labels],
      links: [],
      occurredAt: doc.dueAt,
    };
    await ingest(this.rt, this.context(spec), JSON.stringify({ heartbeat: spec.name, missedAt: doc.dueAt }), [event], now);
    await this.store.set(spec.name, { state: 'down', downAt: now });
    this.docs.set(spec.name, { ...doc, state: 'down', downAt: now });
    this.rt.log.warn({ heartbeat: spec.name, since }, 'heartbeat missed; alert opened');
  }

  private async resolveAlert(spec: HeartbeatSpec, doc: HeartbeatDoc, now: Date, via: string): Promise<void> {
    const { locale, timeZone } = this.rt.config;
    const at = wallTime(now, timeZone);
    const event: NormalizedEvent = {
      eventType: 'resolve',
      dedupKey: heartbeatDedupKey(spec.name),
      title: spec.name,
      severity: spec.severity,
      description: locale === 'en' ? `Heartbeat from ${spec.name} received again at ${at} (${via})` : `${at} 再次收到 ${spec.name} 的心跳（${via}），自动恢复`,
      labels: [{ name: 'heartbeat', value: spec.name }],
      links: [],
    };
    await ingest(this.rt, this.context(spec), JSON.stringify({ heartbeat: spec.name, pingAt: now, downAt: doc.downAt }), [event], now);
  }

  private context(spec: HeartbeatSpec) {
    return ingestContext(this.rt, { integration: HEARTBEAT_INTEGRATION, source: 'api', application: HEARTBEAT_INTEGRATION, team: spec.team });
  }

  private registerMetrics(): void {
    const self = this;
    const registers = [this.rt.metrics.registry];
    this.lateness = new Histogram({
      name: 'dutybot_heartbeat_check_lateness_seconds',
      help: 'How long after its due time a missed heartbeat was checked and began to fire',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    new Gauge({
      name: 'dutybot_heartbeat_up',
      help: 'Heartbeats: 1 while pings arrive on time, 0 once one was missed (its alert is open)',
      labelNames: ['name'] as const,
      registers,
      collect() {
        for (const r of self.list()) if (r.state !== 'disabled') this.set({ name: r.spec.name }, r.state === 'down' ? 0 : 1);
      },
    });
    new Gauge({
      name: 'dutybot_heartbeat_paused',
      help: 'Heartbeats: 1 while paused (heartbeat pause <name> <duration>)',
      labelNames: ['name'] as const,
      registers,
      collect() {
        for (const r of self.list()) this.set({ name: r.spec.name }, r.state === 'paused' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'dutybot_heartbeat_last_ping_timestamp_seconds',
      help: 'Heartbeats: Unix time of the last ping',
      labelNames: ['name'] as const,
      registers,
      collect() {
        for (const r of self.list()) if (r.doc?.lastPingAt) this.set({ name: r.spec.name }, r.doc.lastPingAt.getTime() / 1000);
      },
    });
  }
}
