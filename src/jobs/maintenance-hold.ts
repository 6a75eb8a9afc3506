import { randomBytes } from 'node:crypto';
import type { Alert, AlertMaintenance, TimelineEntry } from '../core/alert.js';
import type { EscalationSnapshot } from '../core/escalation.js';
import { holdPlan, releasePlan } from '../core/maintenance-hold.js';
import type { Runtime } from '../runtime.js';
import type { AlertMarks } from '../store/alert-marks.js';

/** What the hold needs of the escalation engine (set once the engine exists; see start.ts). */
export interface HoldEscalation {
  /** The policy an alert without a plan gets (its route's, else its team's). */
  policyFor(alert: Alert): EscalationSnapshot | undefined;
  /** Arms the alert's next step or ack deadline from its stored plan (timer and durable backstop). */
  rearm(alert: Alert): Promise<void>;
}

export const MAINTENANCE_ACTOR = { kind: 'system', name: 'dutybot', via: 'maintenance' } as const;

/**
 * Puts one open alert into a maintenance window and takes it out again. Each is, inside the
 * alert's lock, one read and ONE update by `_id` (the mark and the plan together:
 * AlertMarks.setHold), then a timeline line and a `maintenance` event that re-renders its cards.
 * Both are idempotent: holding an alert already held by this window, or releasing one no longer
 * in it, changes nothing and answers what the alert is now.
 */
export class MaintenanceHold {
  private escalation?: HoldEscalation;

  constructor(private readonly rt: Pick<Runtime, 'alerts' | 'events' | 'clock' | 'log'>, private readonly marks: AlertMarks) {}

  useEscalation(e: HoldEscalation): void {
    this.escalation = e;
  }

  /** Holds an open alert; null when it is resolved or already in another window. */
  async hold(alertId: string, mark: AlertMaintenance & { since: Date }, windowText: string): Promise<Alert | null> {
    const found = await this.rt.alerts.get(alertId);
    if (!found) return null;
    const out = await this.rt.alerts.withLock(found, async () => {
      const cur = await this.rt.alerts.get(alertId);
      if (!cur || cur.state === 'resolved') return null;
      if (cur.maintenance) return cur.maintenance.windowId === mark.windowId ? { alert: cur, changed: false } : null;
      const alert = await this.marks.setHold(cur, mark, cur.escalation ? holdPlan(cur.escalation, mark.since) : undefined);
      return { alert, previous: cur, changed: true };
    });
    if (!out?.changed || !out.previous) return out?.alert ?? null;
    const entry: TimelineEntry = {
      alertId,
      at: mark.since,
      kind: 'note',
      actor: { ...MAINTENANCE_ACTOR },
      text: `held by maintenance window ${windowText} until ${mark.until.toISOString()}: escalation and ack timeout paused`,
    };
    await this.rt.alerts.addTimeline([entry]);
    this.rt.events.emit({ type: 'maintenance', alert: out.alert, previous: out.previous, entry });
    return out.alert;
  }

  /**
   * Lets an alert out of window `windowId`: the mark goes, and if it still fires its plan runs
   * from now (a new run from level 1 when triggered; the ack deadline resumed when claimed), in
   * the same update. Answers the alert after (or as it is, when it was no longer in the window).
   */
  async release(alertId: string, windowId: string, windowText: string, now: Date): Promise<{ alert: Alert; released: boolean } | null> {
    const found = await this.rt.alerts.get(alertId);
    if (!found) return null;
    const out = await this.rt.alerts.withLock(found, async () => {
      const cur = await this.rt.alerts.get(alertId);
      if (!cur) return null;
      if (cur.maintenance?.windowId !== windowId) return { alert: cur, released: false };
      const plan = cur.state === 'resolved' ? undefined : releasePlan(cur.escalation, this.escalation?.policyFor(cur), cur, now, randomBytes(6).toString('hex'));
      const alert = await this.marks.setHold(cur, null, plan);
      return { alert, previous: cur, released: true };
    });
    if (!out?.released || !out.previous) return out ? { alert: out.alert, released: false } : null;
    const { alert, previous } = out;
    if (alert.state === 'resolved') return { alert, released: true };
    const held = previous.maintenance?.since !== undefined;
    const entry: TimelineEntry = {
      alertId,
      at: now,
      kind: 'received',
      actor: { ...MAINTENANCE_ACTOR },
      text: held
        ? `maintenance window ${windowText} ended; escalation restarts${alert.state === 'triggered' ? ' from level 1' : ' (ack timeout resumed)'}`
        : `maintenance window ${windowText} ended; dispatched now`,
    };
    await this.rt.alerts.addTimeline([entry]);
    // Opened inside the window: its first card goes out now, as if it had just arrived. Held: its
    // card exists already and is re-rendered without the maintenance line.
    if (held) this.rt.events.emit({ type: 'maintenance', alert, previous, entry });
    else this.rt.events.emit({ type: 'opened', alert, entry });
    await this.escalation?.rearm(alert).catch((err: unknown) => this.rt.log.warn({ err, alertId }, 'could not arm a released alert; recovery and the auditor will'));
    return { alert, released: true };
  }
}
