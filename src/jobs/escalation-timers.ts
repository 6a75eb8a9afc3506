import type { Alert } from '../core/alert.js';
import type { AlertEscalation, StepRef } from '../core/escalation.js';
import type { Runtime } from '../runtime.js';
import type { EscalationStore } from '../store/escalations.js';
import { lockRef, withAlertLocks, type LockRef } from './alert-locks.js';

/** The backstop job runs this long after a step's due time: normally the timer has fired it already. */
export const BACKSTOP_GRACE_MS = 5_000;
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

export type Armed = { ref: StepRef; at: number; lock: LockRef };

export interface StepTimersDeps {
  rt: Pick<Runtime, 'clock' | 'log'>;
  store: Pick<EscalationStore, 'many' | 'alerts'>;
  /** Saves the durable backstop for a step (an Agenda job); absent when jobs are off. */
  backstop?: (ref: StepRef, at: Date) => Promise<void>;
  /** Wall-clock timers for due steps; tests turn them off and call `tick()` after moving their clock. */
  timers?: boolean;
  /** Read the alerts of steps due soon ahead of time (EscalationEngineDeps.readAhead). */
  readAhead?: boolean;
  /** Fires due escalation steps together (StepFiring.fire). */
  fireSteps: (steps: Armed[]) => Promise<unknown>;
  /** Runs one due ack deadline (AckTimeouts.run). */
  runAck: (ref: StepRef & { ack: string }) => Promise<unknown>;
}

/**
 * The in-process wake-ups of the escalation engine: the next step or ack deadline of each alert,
 * one wall-clock timer for the earliest of them, and the alerts read ahead of their step. All of
 * it is a cache of the plans stored on the alerts: a restart re-arms it from the database.
 */
export class StepTimers {
  private readonly armed = new Map<string, Armed>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;
  private ticking: Promise<void> | null = null;
  /** Alerts read ahead of their step, each with its lock's mark at the time (AlertStore.lockMark). */
  private readonly readAhead = new Map<string, { alert: Alert; mark: string }>();

  constructor(private readonly deps: StepTimersDeps) {}

  /**
   * Arms what the stored plan says comes next: the ack deadline of a claimed alert (unless paused),
   * else the next step (unless paused or done); nothing otherwise.
   */
  async rearm(alert: Alert): Promise<void> {
    const esc = alert.escalation;
    if (alert.state === 'acknowledged' && esc?.ack && esc.ack.pausedRemainingMs === undefined) return this.armAck(alert, esc);
    if (alert.state === 'triggered' && esc?.nextAt && !esc.done) return this.armStep(alert, esc);
    this.armed.delete(alert.id);
  }

  /** Remembers the next step in this process and saves its durable backstop. */
  async armStep(alert: LockRef & { id: string }, esc: AlertEscalation, opts: { backstop?: boolean } = {}): Promise<void> {
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

  /** The ack deadline of the plan's current claim, in this process and as a durable backstop. */
  async armAck(alert: LockRef & { id: string }, esc: AlertEscalation, opts: { backstop?: boolean } = {}): Promise<void> {
    if (!esc.ack) return;
    const ref: StepRef = { alertId: alert.id, token: esc.token, cycle: 0, level: 0, ack: esc.ack.key };
    const at = esc.ack.dueAt.getTime();
    this.armed.set(alert.id, { ref, at, lock: lockRef(alert) });
    this.wake(this.wakeAt({ ref, at, lock: alert }));
    if (opts.backstop !== false) await this.deps.backstop?.(ref, new Date(at + BACKSTOP_GRACE_MS));
  }

  /** Forgets what was armed for the alert (it was claimed, reassigned or resolved). */
  disarm(alertId: string): void {
    this.armed.delete(alertId);
  }

  /** The alert read ahead of its step, if any; taken, so it is used at most once. */
  takeReadAhead(alertId: string): { alert: Alert; mark: string } | undefined {
    const ahead = this.readAhead.get(alertId);
    this.readAhead.delete(alertId);
    return ahead;
  }

  /** Steps armed in this process (the auditor compares them with the database). */
  count(): number {
    return this.armed.size;
  }

  /** The tick under way, if any (EscalationEngine.idle waits for it). */
  running(): Promise<void> | null {
    return this.ticking;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
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
    await withAlertLocks(
      alerts,
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
        await this.deps.fireSteps(steps).catch((err: unknown) => {
          this.deps.rt.log.error({ err, steps: steps.length }, 'escalation steps failed; the backstop and the auditor retry them');
        });
        await Promise.all(group.flatMap((a) => (isAck(a.ref) ? [this.deps.runAck(a.ref)] : []))).catch((err: unknown) => {
          this.deps.rt.log.error({ err }, 'ack timeouts failed; their backstops retry them');
        });
      }
    }
    await this.readSoonDue().catch((err: unknown) => {
      this.deps.rt.log.warn({ err }, 'reading soon-due escalations ahead failed; they read when they fire');
    });
  }
}

/** An ack-deadline wake-up rather than an escalation step. */
export function isAck(ref: StepRef): ref is StepRef & { ack: string } {
  return typeof ref.ack === 'string' && ref.ack.length > 0;
}
