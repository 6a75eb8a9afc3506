import { randomBytes } from 'node:crypto';
import type { Alert, TimelineEntry } from '../core/alert.js';
import type { StepRef } from '../core/escalation.js';
import { ackOutcome, ackTimeoutReason, armAckTimeout, decideSnooze, pauseAck, restartAfterAckTimeout, type SnoozeDecision } from '../core/ack-timeout.js';
import type { Runtime } from '../runtime.js';
import type { EscalationStore } from '../store/escalations.js';
import { ESCALATION_ACTOR, type StepOutcome } from './escalation-firing.js';
import type { StepTimers } from './escalation-timers.js';

export interface AckTimeoutsDeps {
  rt: Pick<Runtime, 'alerts' | 'events' | 'clock'>;
  store: EscalationStore;
  timers: Pick<StepTimers, 'rearm' | 'armAck' | 'armStep'>;
  /** The cards show the deadline (EscalationEngineDeps.changed). */
  changed?: (alert: Alert) => void;
}

/**
 * The ack deadline of a claim under a policy with an ack timeout (src/core/ack-timeout.ts): set
 * when the alert is claimed, pushed out by the owner's snooze, and when it passes, the claim is
 * undone and the escalation starts again.
 */
export class AckTimeouts {
  constructor(private readonly deps: AckTimeoutsDeps) {}

  /** A claim under a policy with an ack timeout: store its deadline on the plan and arm it. */
  async start(alert: Alert): Promise<void> {
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
    await this.deps.timers.rearm(saved);
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
    await this.deps.timers.armAck(out.alert, out.alert.escalation);
    // Cards (the new deadline) and outgoing webhooks follow, like any change.
    this.deps.rt.events.emit({ type: 'snoozed', alert: out.alert, previous: out.previous, entry: out.entry });
    return out;
  }

  /**
   * One ack-timeout wake-up: if the claim it was armed for still stands and its deadline passed,
   * the alert returns to triggered (a system transition, timeline `reopened` with the reason) and
   * its escalation runs again from level 1 with a new token, the previous owner @-mentioned.
   */
  async run(ref: StepRef & { ack: string }): Promise<StepOutcome> {
    const { store, rt, timers } = this.deps;
    const alert = await store.get(ref.alertId);
    if (!alert?.escalation) return 'stale';
    const now = rt.clock.now();
    const o = ackOutcome(alert.escalation, alert, now, ref.ack);
    if (o === 'early') await timers.armAck(alert, alert.escalation, { backstop: false });
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
    if (restarted?.escalation) await timers.armStep(restarted, restarted.escalation);
    return 'fired';
  }
}
