import type { Agenda } from 'agenda';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import { isActive } from '../core/escalation.js';
import type { EscalationStore } from '../store/escalations.js';
import type { OutboxStore } from '../store/outbox.js';
import type { EscalationEngine } from './escalation-engine.js';

export const ESCALATION_AUDIT_JOB = 'escalation-audit';
/** A step this late is overdue (the timer fires within milliseconds, the backstop within seconds). */
export const OVERDUE_AFTER_MS = 60_000;
/** An outbox row still pending or sending this long after its due time is stuck. */
export const STUCK_AFTER_MS = 5 * 60_000;

/** The escalation engine's figures in /metrics (on the app's registry). */
export class EscalationMetrics {
  readonly lateness: Histogram;
  readonly steps: Counter;
  readonly overdue: Gauge;
  readonly stuck: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.lateness = new Histogram({
      name: 'dutybot_escalation_step_lateness_seconds',
      help: 'Time from an escalation step\'s due time to its outbox rows being stored (fired)',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    this.steps = new Counter({ name: 'dutybot_escalation_steps_total', help: 'Escalation levels fired', registers });
    this.overdue = new Gauge({ name: 'dutybot_escalations_overdue', help: 'Triggered alerts whose next escalation step is over a minute late (last audit)', registers });
    this.stuck = new Gauge({ name: 'dutybot_outbox_stuck', help: 'Outbox messages pending or sending five minutes past their due time (last audit)', labelNames: ['method'], registers });
  }

  fired(latenessMs: number): void {
    this.steps.inc();
    this.lateness.observe(Math.max(0, latenessMs) / 1000);
  }
}

/**
 * Finds escalations that should have moved and have not (a lost timer, a backstop that failed),
 * wakes them, and counts them; counts outbox rows stuck past their due time. Scans, so it runs
 * once a minute, never on the hot path.
 */
export async function auditEscalations(deps: {
  store: EscalationStore;
  outbox: OutboxStore;
  engine: EscalationEngine;
  clock: Clock;
  metrics: EscalationMetrics;
}): Promise<{ overdue: number; stuck: number }> {
  const now = deps.clock.now();
  let overdue = 0;
  for (const alert of await deps.store.triggered()) {
    const esc = alert.escalation;
    if (!isActive(esc, alert, now) || now.getTime() - esc.nextAt.getTime() < OVERDUE_AFTER_MS) continue;
    overdue++;
    await deps.engine.runStep({ alertId: alert.id, token: esc.token, cycle: esc.cycle, level: esc.level });
  }
  deps.metrics.overdue.set(overdue);
  const rows = await deps.outbox.col
    .aggregate<{ _id: string; n: number }>([
      { $match: { state: { $in: ['pending', 'sending'] }, dueAt: { $lt: new Date(now.getTime() - STUCK_AFTER_MS) } } },
      { $group: { _id: '$method', n: { $sum: 1 } } },
    ])
    .toArray();
  deps.metrics.stuck.reset();
  let stuck = 0;
  for (const r of rows) {
    deps.metrics.stuck.set({ method: r._id }, r.n);
    stuck += r.n;
  }
  return { overdue, stuck };
}

export async function scheduleEscalationAudit(agenda: Agenda, run: () => Promise<unknown>): Promise<void> {
  agenda.define(ESCALATION_AUDIT_JOB, async () => {
    await run();
  });
  await agenda.every('1 minute', ESCALATION_AUDIT_JOB);
}
