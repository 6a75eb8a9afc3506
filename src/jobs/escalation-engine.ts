import { pagePolicy } from '../core/page-policy.js';
import type { EscalationPolicy } from '../config/schema.js';
import { randomBytes } from 'node:crypto';
import type { Schedule } from '../config/schema.js';
import type { Alert, TimelineEntry } from '../core/alert.js';
import { afterFired, dueLevel, jumpNow, pause, resume, snapshotPolicy, startEscalation, type AlertEscalation, type EscalationSnapshot, type StepRef } from '../core/escalation.js';
import { pagedPeople, resolveStep } from '../core/escalation-targets.js';
import { ackOutcome, ackTimeoutReason, armAckTimeout, decideSnooze, pauseAck, restartAfterAckTimeout, resumeAck, type SnoozeDecision } from '../core/ack-timeout.js';
import { whoIsOnCall, type OverrideSpan } from '../core/oncall.js';
import type { AlertEvent } from '../events.js';
import type { Runtime } from '../runtime.js';
import type { EscalationChange, EscalationStore } from '../store/escalations.js';
import type { NewOutboxMessage } from '../notify/message.js';
import type { OnCallOverrideStore } from '../store/oncall-overrides.js';
import type { OutboxStore } from '../store/outbox.js';

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

export const ESCALATION_ACTOR = { kind: 'system', name: 'dutybot', via: 'escalation' } as const;
/** The backstop job runs this long after a step's due time: normally the timer has fired it already. */
export const BACKSTOP_GRACE_MS = 5_000;
/** A triggered alert without a plan (a crash right after it opened) gets one if it opened this recently. */
const RECOVER_UNSTARTED_MS = 10 * 60_000;
/**
 * Steps due in one tick fire together, up to this many: one read, one outbox insert, then the
 * plans and timelines by group commit. 1,000 at once on FerretDB: the outbox rows are stored
 * within about a second of the due time (bench/escalation.ts); one by one they took 10 s.
 */
const GROUP = 2_000;
/**
 * How long before their due time the alerts of soon-due steps are read (`readAhead`). On FerretDB
 * a read of 1,000 alerts is one pass over `alerts` decoded in Go: ~1.5 s under heavy load, the
 * largest part of a step's lateness when it was read at the due time.
 */
export const READ_AHEAD_MS = 3_000;

export type StepOutcome = 'fired' | 'stale' | 'early';

/** What the alert's lock is keyed on (AlertStore.withLock): known when armed, read otherwise. */
type LockRef = Pick<Alert, 'integration' | 'dedupKey'>;
type Armed = { ref: StepRef; at: number; lock: LockRef };
type Wake = { ref: StepRef; lock?: LockRef };

export class EscalationEngine {
  private readonly armed = new Map<string, Armed>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;
  private ticking: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly firedListeners = new Set<(latenessMs: number, alertId: string) => void>();
  /** Alerts read ahead of their step, each with its lock's mark at the time (AlertStore.lockMark). */
  private readonly readAhead = new Map<string, { alert: Alert; mark: string }>();

  constructor(private readonly deps: EscalationEngineDeps) {}

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
    while (this.inFlight.size || this.ticking) await Promise.allSettled([...this.inFlight, this.ticking]);
  }

  private async handle(ev: AlertEvent): Promise<void> {
    const { alert } = ev;
    switch (ev.type) {
      case 'opened':
        // An alert released by the end of a maintenance window escalates as if it had just arrived.
        return this.begin(alert, ev.entry.actor.via === 'maintenance' ? ev.entry.at : undefined);
      case 'claimed':
      case 'reassigned':
        this.armed.delete(alert.id);
        return this.startAckTimeout(alert);
      case 'resolved':
        this.armed.delete(alert.id);
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
    if (saved?.escalation) await this.arm(saved, saved.escalation);
  }

  private async change(alert: Alert, fn: (esc: AlertEscalation, now: Date, cur: Alert) => AlertEscalation): Promise<void> {
    const saved = await this.deps.store.alerts.withLock(alert, async () => {
      const cur = await this.deps.store.get(alert.id);
      if (!cur?.escalation) return null;
      return this.deps.store.save(cur, fn(cur.escalation, this.deps.rt.clock.now(), cur), { visible: true });
    });
    if (!saved) return;
    this.deps.changed?.(saved);
    await this.rearm(saved);
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
  async rearm(alert: Alert): Promise<void> {
    const esc = alert.escalation;
    if (alert.state === 'acknowledged' && esc?.ack && esc.ack.pausedRemainingMs === undefined) return this.armAck(alert, esc);
    if (alert.state === 'triggered' && esc?.nextAt && !esc.done) return this.arm(alert, esc);
    this.armed.delete(alert.id);
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
    if (esc) await this.fireBatch([{ ref: { alertId: alert.id, token: esc.token, cycle: esc.cycle, level: esc.level }, lock: alert }], { force: true });
  }

  /** A claim under a policy with an ack timeout: store its deadline on the plan and arm it. */
  private async startAckTimeout(alert: Alert): Promise<void> {
    if (!alert.escalation?.policy.ackTimeoutMs) return;
    const saved = await this.deps.store.alerts.withLock(alert, async () => {
      const cur = await this.deps.store.get(alert.id);
      if (!cur?.escalation || cur.state !== 'acknowledged') return null;
      const armed = armAckTimeout(cur.escalation, cur);
      // Claimed while muted or held by a maintenance window: the deadline waits for the end of it.
      const paused = cur.maintenance || (cur.mutedUntil && cur.mutedUntil > this.deps.rt.clock.now()) ? pauseAck(armed, cur.owner?.at ?? this.deps.rt.clock.now()) : armed;
      return this.deps.store.save(cur, paused, { visible: true });
    });
    if (!saved) return;
    this.deps.changed?.(saved);
    await this.rearm(saved);
  }

  /** The ack deadline of the plan's current claim, in this process and as a durable backstop. */
  private async armAck(alert: LockRef & { id: string }, esc: AlertEscalation, opts: { backstop?: boolean } = {}): Promise<void> {
    if (!esc.ack) return;
    const ref: StepRef = { alertId: alert.id, token: esc.token, cycle: 0, level: 0, ack: esc.ack.key };
    const at = esc.ack.dueAt.getTime();
    this.armed.set(alert.id, { ref, at, lock: lockRef(alert) });
    this.wake(this.wakeAt({ ref, at, lock: alert }));
    if (opts.backstop !== false) await this.deps.backstop?.(ref, new Date(at + BACKSTOP_GRACE_MS));
  }

  /**
   * The owner pushes the ack deadline out (now + duration, at most the policy's `snoozeMax`).
   * Anyone else, too long, or an alert without an ack timeout: refused, nothing changes.
   */
  async snooze(ref: string, who: { memberId?: string; name: string; via: string }, durationMs: number): Promise<SnoozeDecision & { alert?: Alert }> {
    const found = await this.deps.rt.alerts.get(ref);
    if (!found) return { ok: false, code: 'not-claimed' };
    const now = this.deps.rt.clock.now();
    const out = await this.deps.store.alerts.withLock(found, async () => {
      const cur = await this.deps.store.get(found.id);
      if (!cur) return { ok: false, code: 'not-claimed' } as const;
      const d = decideSnooze(cur.escalation, cur, who, durationMs, now);
      if (!d.ok) return { ...d, alert: cur };
      const saved = await this.deps.store.save(cur, d.escalation, { visible: true });
      const entry: TimelineEntry = {
        alertId: cur.id,
        at: now,
        kind: 'note',
        actor: { kind: 'member', name: who.name, via: who.via, ...(who.memberId ? { memberId: who.memberId } : {}) },
        text: `snoozed the ack timeout until ${d.dueAt.toISOString()}`,
      };
      await this.deps.store.addTimeline([entry]);
      return { ...d, alert: saved, previous: cur, entry };
    });
    if (!out.ok || !('entry' in out) || !out.alert?.escalation) return out;
    await this.armAck(out.alert, out.alert.escalation);
    // Cards (the new deadline) and outgoing webhooks follow, like any change.
    this.deps.rt.events.emit({ type: 'snoozed', alert: out.alert, previous: out.previous, entry: out.entry });
    return out;
  }

  /**
   * One ack-timeout wake-up: if the claim it was armed for still stands and its deadline passed,
   * the alert returns to triggered (a system transition, timeline `reopened` with the reason) and
   * its escalation runs again from level 1 with a new token, the previous owner @-mentioned.
   */
  private async runAck(ref: StepRef & { ack: string }): Promise<StepOutcome> {
    const { store, rt } = this.deps;
    const alert = await store.get(ref.alertId);
    if (!alert?.escalation) return 'stale';
    const now = rt.clock.now();
    const o = ackOutcome(alert.escalation, alert, now, ref.ack);
    if (o === 'early') await this.armAck(alert, alert.escalation, { backstop: false });
    if (o !== 'fire') return o;
    if (!alert.owner || !alert.escalation.ack) return 'stale';
    const reason = ackTimeoutReason(alert.escalation.ack, now);
    const r = await rt.alerts.transition(alert.id, { kind: 'unclaim', ownerAt: alert.owner.at, reason }, { ...ESCALATION_ACTOR, via: 'ack-timeout' }, now);
    if (!r.ok) return 'stale';
    const token = randomBytes(6).toString('hex');
    const restarted = await store.alerts.withLock(r.alert, async () => {
      const cur = await store.get(alert.id);
      if (!cur?.escalation || cur.state !== 'triggered') return null;
      return store.save(cur, restartAfterAckTimeout(cur.escalation, now, token, reason), { visible: true });
    });
    rt.events.emit({ type: 'reopened', alert: restarted ?? r.alert, previous: r.previous, entry: r.timeline });
    if (restarted?.escalation) await this.arm(restarted, restarted.escalation);
    return 'fired';
  }

  /** Remembers the next step in this process and saves its durable backstop. */
  private async arm(alert: LockRef & { id: string }, esc: AlertEscalation, opts: { backstop?: boolean } = {}): Promise<void> {
    if (!esc.nextAt || esc.done) {
      this.armed.delete(alert.id);
      return;
    }
    const ref: StepRef = { alertId: alert.id, token: esc.token, cycle: esc.cycle, level: esc.level };
    const armed: Armed = { ref, at: esc.nextAt.getTime(), lock: lockRef(alert) };
    this.armed.set(alert.id, armed);
    this.wake(this.wakeAt(armed));
    if (opts.backstop !== false) await this.deps.backstop?.(ref, new Date(esc.nextAt.getTime() + BACKSTOP_GRACE_MS));
  }

  private wake(at: number): void {
    if (this.stopped || this.deps.timers === false || at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    const delay = Math.max(0, at - this.deps.rt.clock.now().getTime());
    this.timer = setTimeout(() => {
      this.timerAt = Infinity;
      void this.tick();
    }, Math.min(delay, 2 ** 31 - 1));
  }

  /** Fires every armed step that is due by the clock; returns when they are done. */
  async tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    const run = this.fireDue();
    this.ticking = run;
    try {
      await run;
    } finally {
      if (this.ticking === run) this.ticking = null;
    }
    let next = Infinity;
    for (const a of this.armed.values()) next = Math.min(next, this.wakeAt(a));
    if (Number.isFinite(next)) this.wake(next);
  }

  /** When a step needs the engine: its read-ahead time while that is still to come, else its due time. */
  private wakeAt(a: Armed): number {
    if (!this.deps.readAhead || isAck(a.ref) || this.readAhead.has(a.ref.alertId)) return a.at;
    const ahead = a.at - READ_AHEAD_MS;
    return ahead > this.deps.rt.clock.now().getTime() ? ahead : a.at;
  }

  /**
   * Reads, under their locks, the alerts of steps due within READ_AHEAD_MS that are not read yet.
   * A step whose alert is written in between (its lock taken) reads it again when it fires.
   */
  private async readSoonDue(): Promise<void> {
    if (!this.deps.readAhead) return;
    for (const id of this.readAhead.keys()) if (!this.armed.has(id)) this.readAhead.delete(id);
    const until = this.deps.rt.clock.now().getTime() + READ_AHEAD_MS;
    const soon = [...this.armed.values()].filter((a) => a.at <= until && !isAck(a.ref) && !this.readAhead.has(a.ref.alertId)).slice(0, GROUP);
    if (!soon.length) return;
    const alerts = this.deps.store.alerts;
    await this.withLocks(
      soon.map((a) => a.lock),
      async () => {
        for (const alert of await this.deps.store.many(soon.map((a) => a.ref.alertId))) this.readAhead.set(alert.id, { alert, mark: alerts.lockMark(alert) });
      },
    );
  }

  private async fireDue(): Promise<void> {
    await Promise.resolve(); // never finish synchronously: `tick` records this run first
    for (;;) {
      const now = this.deps.rt.clock.now().getTime();
      const due = [...this.armed.values()].filter((a) => a.at <= now).sort((a, b) => a.at - b.at);
      if (due.length === 0) break;
      for (const a of due) if (this.armed.get(a.ref.alertId) === a) this.armed.delete(a.ref.alertId);
      for (let i = 0; i < due.length; i += GROUP) {
        const group = due.slice(i, i + GROUP);
        const steps = group.filter((a) => !isAck(a.ref));
        await this.fireBatch(steps).catch((err: unknown) => {
          this.deps.rt.log.error({ err, steps: steps.length }, 'escalation steps failed; the backstop and the auditor retry them');
        });
        await Promise.all(group.flatMap((a) => (isAck(a.ref) ? [this.runAck(a.ref)] : []))).catch((err: unknown) => {
          this.deps.rt.log.error({ err }, 'ack timeouts failed; their backstops retry them');
        });
      }
    }
    await this.readSoonDue().catch((err: unknown) => {
      this.deps.rt.log.warn({ err }, 'reading soon-due escalations ahead failed; they read when they fire');
    });
  }

  /**
   * The one idempotent step: fires the level `ref` names if it is the alert's active, due step.
   * Returns what happened, for the Agenda job and the tests.
   */
  async runStep(ref: StepRef, opts: { force?: boolean } = {}): Promise<StepOutcome> {
    if (isAck(ref)) return this.runAck(ref);
    return (await this.fireBatch([{ ref }], opts)).get(ref.alertId) ?? 'stale';
  }

  /**
   * Fires many steps with a few round trips. Inside all their alerts' locks: one read of the
   * alerts, the decision (pure), one insert of every step's outbox rows — from then on the step has
   * fired: its pages are durable and idempotent by `_id`, and `onFired` records its lateness —
   * then the plans and the timeline entries by group commit. Events and the next steps follow once
   * it is all stored. A crash after the outbox insert replays the step (its plan did not move) and
   * the outbox keeps one copy of each row.
   */
  private async fireBatch(wakes: Wake[], opts: { force?: boolean } = {}): Promise<Map<string, StepOutcome>> {
    const { store, rt } = this.deps;
    const outcome = new Map<string, StepOutcome>();
    if (!wakes.length) return outcome;
    const byId = new Map(wakes.map((w) => [w.ref.alertId, w.ref]));
    // Timers know each alert's lock key; a backstop job or the auditor names only the alert.
    const locks = new Map(wakes.flatMap((w) => (w.lock ? [[w.ref.alertId, w.lock] as const] : [])));
    const unknown = [...byId.keys()].filter((id) => !locks.has(id));
    for (const a of await store.many(unknown)) if (a.escalation) locks.set(a.id, lockRef(a));
    if (!locks.size) return outcome;
    const fired: Array<{ alert: Alert; previous: Alert; entry: TimelineEntry; dueAt: Date; paged: { step: string; members: string[] } }> = [];
    const early: Array<{ alert: Alert; esc: AlertEscalation }> = [];
    await this.withLocks([...locks.values()], async () => {
      // Read ahead and untouched since (nothing took its lock): still current. Others are read now.
      const current: Alert[] = [];
      for (const id of locks.keys()) {
        const ahead = this.readAhead.get(id);
        this.readAhead.delete(id);
        if (ahead && store.alerts.unchangedSince(ahead.alert, ahead.mark)) current.push(ahead.alert);
      }
      const known = new Set(current.map((a) => a.id));
      current.push(...(await store.many([...locks.keys()].filter((id) => !known.has(id)))));
      const now = rt.clock.now();
      const onCall = await this.onCallAt(current.flatMap((a) => (a.escalation ? [a.escalation] : [])), now);
      const messages: NewOutboxMessage[] = [];
      const saves: Array<{ alert: Alert; escalation: AlertEscalation; change: EscalationChange }> = [];
      const entries: TimelineEntry[] = [];
      const dues: Date[] = [];
      const paged: Array<{ step: string; members: string[] }> = [];
      for (const alert of current) {
        const ref = byId.get(alert.id);
        const esc = alert.escalation;
        if (!esc || !ref) continue;
        const due = dueLevel(esc, opts.force ? { state: 'triggered' } : alert, now, ref);
        if (!due) {
          const same = esc.token === ref.token && esc.cycle === ref.cycle && esc.level === ref.level;
          if (same && esc.nextAt && esc.nextAt.getTime() > now.getTime()) early.push({ alert, esc });
          continue;
        }
        const fx = resolveStep(ref, due.targets, { onCall, team: (id) => rt.directory.team(id) });
        const of = esc.policy.levels.length;
        const reason = `escalation level ${due.level} of ${of}${due.cycle > 1 ? `, cycle ${due.cycle}` : ''}`;
        messages.push(...fx.messages.map((m) => ({ ...m, alertId: alert.id, reason, level: due.level, cycle: due.cycle })));
        const next: AlertEscalation = { ...afterFired(esc, now), mentions: [...new Set([...(esc.mentions ?? []), ...fx.mentions])] };
        saves.push({ alert, escalation: next, change: { level: due.level, addTeams: fx.teams, visible: true } });
        entries.push({
          alertId: alert.id,
          at: now,
          kind: 'escalated',
          actor: { ...ESCALATION_ACTOR },
          text: `level ${due.level} of ${of}${due.cycle > 1 ? ` (cycle ${due.cycle})` : ''}: ${fx.notified.join(' · ')}`,
        });
        dues.push(due.dueAt);
        paged.push({ step: `${esc.token}:${due.cycle}:${due.level}`, members: pagedPeople(fx) });
      }
      if (!saves.length) return;
      await this.deps.outbox.enqueue(messages, now);
      // Fired: the pages are stored. The sender delivers them now rather than at its next pass.
      const storedAt = rt.clock.now().getTime();
      saves.forEach((s, i) => {
        const ms = storedAt - dues[i]!.getTime();
        this.deps.onFired?.(ms);
        for (const fn of this.firedListeners) fn(ms, s.alert.id);
      });
      if (messages.length) rt.notify?.kick();
      // The plan before the timeline: a crash between them loses an entry, never writes one twice.
      const saved = await store.saveMany(saves);
      await store.addTimeline(entries);
      saved.forEach((alert, i) => fired.push({ alert, previous: saves[i]!.alert, entry: entries[i]!, dueAt: dues[i]!, paged: paged[i]! }));
    });
    for (const f of fired) {
      outcome.set(f.alert.id, 'fired');
      rt.events.emit({ type: 'escalated', alert: f.alert, previous: f.previous, entry: f.entry, paged: f.paged });
    }
    // Woken before its time (a backstop run by a process whose clock is ahead): keep it armed here;
    // its own backstop is still saved, so no new one (which could wake early again).
    for (const e of early) {
      outcome.set(e.alert.id, 'early');
      await this.arm(e.alert, e.esc, { backstop: false });
    }
    for (const f of fired) if (f.alert.escalation) await this.arm(f.alert, f.alert.escalation);
    return outcome;
  }

  /** Runs `task` holding the lock of every alert (each alert's writes stay serialised). */
  private async withLocks(alerts: LockRef[], task: () => Promise<void>): Promise<void> {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // One lock per key: an alert resolved and a new one opened on its key share it.
    const keys = new Map(alerts.map((a) => [`${a.integration}\u0000${a.dedupKey}`, a]));
    const held = [...keys.values()].map((a) => new Promise<void>((ok) => void this.deps.store.alerts.withLock(a, () => (ok(), released))));
    await Promise.all(held);
    try {
      await task();
    } finally {
      release();
    }
  }

  /** Who is on call on each schedule the plans name, at `now`, with the covers made in chat. */
  private async onCallAt(plans: AlertEscalation[], now: Date): Promise<(scheduleId: string) => string | null> {
    const dir = this.deps.rt.directory;
    const ids = new Set<string>();
    for (const esc of plans)
      for (const l of esc.policy.levels)
        for (const t of l.notify) {
          if (t.schedule) ids.add(t.schedule);
          const teamSchedule = t.team ? dir.team(t.team)?.schedule : undefined;
          if (teamSchedule) ids.add(teamSchedule);
        }
    const answers = new Map<string, string | null>();
    for (const id of ids) {
      const s: Schedule | undefined = dir.config.schedules.find((x) => x.id === id);
      const extra: OverrideSpan[] = s ? await this.deps.overrides.forSchedule(id) : [];
      answers.set(id, s ? (whoIsOnCall(s, now, { extraOverrides: extra, calendars: dir.config.calendars })?.member ?? null) : null);
    }
    return (id) => answers.get(id) ?? null;
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
        await this.arm(alert, alert.escalation, { backstop: false });
        n++;
      } else if (!alert.escalation && now - alert.firstSeenAt.getTime() < RECOVER_UNSTARTED_MS) {
        await this.begin(alert);
        n++;
      }
    }
    // Claims with an ack deadline: their timers are in memory only (the backstop job is durable).
    for (const alert of await this.deps.store.acknowledged()) {
      if (alert.escalation?.ack && alert.escalation.ack.pausedRemainingMs === undefined) {
        await this.armAck(alert, alert.escalation, { backstop: false });
        n++;
      }
    }
    return n;
  }

  /** Steps armed in this process (the auditor compares them with the database). */
  armedCount(): number {
    return this.armed.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.idle();
  }
}

function lockRef(a: LockRef): LockRef {
  return { integration: a.integration, dedupKey: a.dedupKey };
}

function isAck(ref: StepRef): ref is StepRef & { ack: string } {
  return typeof ref.ack === 'string' && ref.ack.length > 0;
}
