import { randomBytes } from 'node:crypto';
import type { EscalationPolicy } from '../config/schema.js';
import type { Alert } from '../core/alert.js';
import { jumpNow, pause, resume, snapshotPolicy, startEscalation, type AlertEscalation, type EscalationSnapshot, type StepRef } from '../core/escalation.js';
import { pauseAck, resumeAck, type SnoozeDecision } from '../core/ack-timeout.js';
import { pagePolicy } from '../core/page-policy.js';
import type { AlertEvent } from '../events.js';
import type { Runtime } from '../runtime.js';
import type { EscalationStore } from '../store/escalations.js';
import type { OnCallOverrideStore } from '../store/oncall-overrides.js';
import type { OutboxStore } from '../store/outbox.js';
import { AckTimeouts } from './escalation-ack-timeouts.js';
import { ESCALATION_ACTOR, StepFiring, type StepOutcome } from './escalation-firing.js';
import { isAck, StepTimers } from './escalation-timers.js';

/**
 * Runs every alert's escalation plan (src/core/escalation.ts) on time.
 *
 * The truth is `alert.escalation` (its `nextAt`). Two things wake a step: an in-process timer set
 * to the exact `nextAt` (steps fire within milliseconds), and an Agenda job a little after it,
 * the durable backstop for a process that died (another process, or this one after a restart,
 * runs it). A restart also re-arms the timers of every triggered alert from the database. Every
 * wake-up goes through `runStep`, which, inside the alert's lock, fires only a step that matches
 * the alert's active plan and is due: a second wake-up, or a stale job, does nothing. A step
 * inserts its outbox rows first (idempotent by `_id`), then advances the plan; a crash between
 * the two replays the step and the outbox keeps one copy of each row.
 *
 * This class holds the plan's bookkeeping (start, pause, resume, jump, recovery); the timers
 * (escalation-timers.ts), the firing of steps (escalation-firing.ts) and the ack deadlines
 * (escalation-ack-timeouts.ts) are its parts.
 */
export interface EscalationEngineDeps {
  rt: Pick<Runtime, 'alerts' | 'events' | 'clock' | 'directory' | 'log' | 'notify'>;
  store: EscalationStore;
  outbox: OutboxStore;
  overrides: OnCallOverrideStore;
  /** Saves the durable backstop for a step (an Agenda job); absent when jobs are off. */
  backstop?: (ref: StepRef, at: Date) => Promise<void>;
  /** Wall-clock timers for due steps; tests turn them off and call `tick()` after moving their clock. */
  timers?: boolean;
  /** Step lateness (due time → its outbox rows stored), for the metrics. */
  onFired?: (latenessMs: number) => void;
  /**
   * Read the alerts of steps due soon ahead of time, and fire them without reading again when
   * nothing in this process took their lock since. Only where one dutybot owns the database
   * (FerretDB, decision 0003): with several processes on MongoDB each step reads (cheap there).
   */
  readAhead?: boolean;
  /**
   * A saved plan changed what the alert's cards show without a lifecycle event of its own (an ack
   * deadline armed after a claim, a pause or resume after a mute): re-render every copy. Without
   * it a card rendered for the claim before the deadline was saved kept no snooze menu.
   */
  changed?: (alert: Alert) => void;
}

/** A triggered alert without a plan (a crash right after it opened) gets one if it opened this recently. */
const RECOVER_UNSTARTED_MS = 10 * 60_000;

export class EscalationEngine {
  private stopped = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly firedListeners = new Set<(latenessMs: number, alertId: string) => void>();
  private readonly timers: StepTimers;
  private readonly firing: StepFiring;
  private readonly acks: AckTimeouts;

  constructor(private readonly deps: EscalationEngineDeps) {
    const { rt, store, backstop, timers, readAhead } = deps;
    this.timers = new StepTimers({
      rt,
      store,
      backstop,
      timers,
      readAhead,
      fireSteps: (steps) => this.firing.fire(steps),
      runAck: (ref) => this.acks.run(ref),
    });
    this.firing = new StepFiring({
      rt,
      store,
      outbox: deps.outbox,
      overrides: deps.overrides,
      timers: this.timers,
      onFired: (ms, alertId) => {
        this.deps.onFired?.(ms);
        for (const fn of this.firedListeners) fn(ms, alertId);
      },
    });
    this.acks = new AckTimeouts({ rt, store, timers: this.timers, changed: deps.changed });
  }

  /** Hears each step's lateness the moment its outbox rows are stored (the bench). */
  onStepFired(fn: (latenessMs: number, alertId: string) => void): () => void {
    this.firedListeners.add(fn);
    return () => this.firedListeners.delete(fn);
  }

  /** Subscribe this to AlertEvents. */
  readonly onEvent = (ev: AlertEvent): void => {
    if (this.stopped) return;
    const p = this.handle(ev).catch((err: unknown) => this.deps.rt.log.error({ err, alertId: ev.alert.id, event: ev.type }, 'escalation failed'));
    this.track(p);
  };

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Waits for the work started by events and ticks (tests, graceful stop). */
  async idle(): Promise<void> {
    while (this.inFlight.size || this.timers.running()) await Promise.allSettled([...this.inFlight, this.timers.running()]);
  }

  private async handle(ev: AlertEvent): Promise<void> {
    const { alert } = ev;
    switch (ev.type) {
      case 'opened':
        // An alert released by the end of a maintenance window escalates as if it had just arrived.
        return this.begin(alert, ev.entry.actor.via === 'maintenance' ? ev.entry.at : undefined);
      case 'claimed':
      case 'reassigned':
        this.timers.disarm(alert.id);
        return this.acks.start(alert);
      case 'resolved':
        this.timers.disarm(alert.id);
        return;
      case 'muted':
        // A mute pauses the next step and the ack deadline alike; the unmute resumes both.
        return this.change(alert, (esc, now) => pauseAck(pause(esc, now), now));
      case 'unmuted':
        // Still held by a maintenance window: the window's end resumes them (src/core/maintenance-hold.ts).
        return this.change(alert, (esc, now, cur) => (cur.maintenance ? esc : resumeAck(resume(esc, now), now)));
      case 'escalated':
        if (ev.entry.actor.via === ESCALATION_ACTOR.via) return; // our own step
        return this.jump(alert);
      default:
        return;
    }
  }

  /** The policy of an alert: its route's, else its team's. */
  policyOf(alert: Pick<Alert, 'route' | 'team'>): string | undefined {
    const dir = this.deps.rt.directory;
    return alert.route?.escalationPolicy ?? dir.team(alert.route?.teams[0] ?? alert.team)?.escalationPolicy;
  }

  /** Copies the policy onto a newly opened alert and arms its first step. */
  async begin(alert: Alert, since?: Date): Promise<void> {
    const policy = this.policyById(this.policyOf(alert));
    if (!policy) return;
    const saved = await this.deps.store.alerts.withLock(alert, async () => {
      const cur = await this.deps.store.get(alert.id);
      // In a maintenance window nobody is paged; the window's end announces it as opened again.
      if (!cur || cur.escalation || cur.state === 'resolved' || cur.maintenance) return null;
      const esc = startEscalation(snapshotPolicy(policy), since ?? cur.firstSeenAt, randomBytes(6).toString('hex'));
      return this.deps.store.save(cur, esc);
    });
    if (saved?.escalation) await this.timers.armStep(saved, saved.escalation);
  }

  private async change(alert: Alert, fn: (esc: AlertEscalation, now: Date, cur: Alert) => AlertEscalation): Promise<void> {
    const saved = await this.deps.store.alerts.withLock(alert, async () => {
      const cur = await this.deps.store.get(alert.id);
      if (!cur?.escalation) return null;
      return this.deps.store.save(cur, fn(cur.escalation, this.deps.rt.clock.now(), cur), { visible: true });
    });
    if (!saved) return;
    this.deps.changed?.(saved);
    await this.timers.rearm(saved);
  }

  /** The snapshot of the policy an alert gets (maintenance gives one to an alert released without a plan). */
  policyFor(alert: Pick<Alert, 'route' | 'team'>): EscalationSnapshot | undefined {
    const policy = this.policyById(this.policyOf(alert));
    return policy ? snapshotPolicy(policy) : undefined;
  }

  /** A config policy, or the built-in one of a deliberate page (src/core/page-policy.ts). */
  private policyById(policyId: string | undefined): EscalationPolicy | undefined {
    if (!policyId) return undefined;
    const cfg = this.deps.rt.directory.config;
    return cfg.escalationPolicies.find((p) => p.id === policyId) ?? pagePolicy(cfg, policyId);
  }

  /**
   * Arms what the stored plan says comes next: the ack deadline of a claimed alert (unless paused),
   * else the next step (unless paused or done); nothing otherwise.
   */
  rearm(alert: Alert): Promise<void> {
    return this.timers.rearm(alert);
  }

  /** Manual `escalate`: the next level now, whatever the alert's state (a person asked for it). */
  private async jump(alert: Alert): Promise<void> {
    const now = this.deps.rt.clock.now();
    const esc = await this.deps.store.alerts.withLock(alert, async () => {
      const cur = await this.deps.store.get(alert.id);
      const jumped = jumpNow(cur?.escalation, now);
      if (!cur || !jumped) return null;
      return (await this.deps.store.save(cur, jumped)).escalation ?? null;
    });
    if (esc) await this.firing.fire([{ ref: { alertId: alert.id, token: esc.token, cycle: esc.cycle, level: esc.level }, lock: alert }], { force: true });
  }

  /**
   * The owner pushes the ack deadline out (now + duration, at most the policy's `snoozeMax`).
   * Anyone else, too long, or an alert without an ack timeout: refused, nothing changes.
   */
  snooze(ref: string, who: { memberId?: string; name: string; via: string }, durationMs: number): Promise<SnoozeDecision & { alert?: Alert }> {
    return this.acks.snooze(ref, who, durationMs);
  }

  /** Fires every armed step that is due by the clock; returns when they are done. */
  tick(): Promise<void> {
    return this.timers.tick();
  }

  /**
   * The one idempotent step: fires the level `ref` names if it is the alert's active, due step.
   * Returns what happened, for the Agenda job and the tests.
   */
  async runStep(ref: StepRef, opts: { force?: boolean } = {}): Promise<StepOutcome> {
    if (isAck(ref)) return this.acks.run(ref);
    return (await this.firing.fire([{ ref }], opts)).get(ref.alertId) ?? 'stale';
  }

  /**
   * After a start: arms the next step of every triggered alert from the database, and starts the
   * plan of an alert that opened just before a crash and has none yet.
   */
  async recover(): Promise<number> {
    const now = this.deps.rt.clock.now().getTime();
    let n = 0;
    for (const alert of await this.deps.store.triggered()) {
      if (alert.escalation?.nextAt && !alert.escalation.done) {
        await this.timers.armStep(alert, alert.escalation, { backstop: false });
        n++;
      } else if (!alert.escalation && now - alert.firstSeenAt.getTime() < RECOVER_UNSTARTED_MS) {
        await this.begin(alert);
        n++;
      }
    }
    // Claims with an ack deadline: their timers are in memory only (the backstop job is durable).
    for (const alert of await this.deps.store.acknowledged()) {
      if (alert.escalation?.ack && alert.escalation.ack.pausedRemainingMs === undefined) {
        await this.timers.armAck(alert, alert.escalation, { backstop: false });
        n++;
      }
    }
    return n;
  }

  /** Steps armed in this process (the auditor compares them with the database). */
  armedCount(): number {
    return this.timers.count();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.stop();
    await this.idle();
  }
}
