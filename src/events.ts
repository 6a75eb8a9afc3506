import type { Alert, TimelineEntry } from './core/alert.js';

/**
 * A domain event after every alert change. Cards, escalation, outgoing webhooks and analytics
 * subscribe to these; the ingestion and action paths never call them directly.
 */
export type AlertEvent =
  | { type: 'opened'; alert: Alert; entry: TimelineEntry }
  | { type: 'deduplicated'; alert: Alert; entry: TimelineEntry }
  | { type: 'claimed' | 'resolved' | 'reassigned' | 'muted' | 'unmuted' | 'reopened' | 'snoozed'; alert: Alert; previous: Alert; entry: TimelineEntry }
  | {
      type: 'escalated';
      alert: Alert;
      previous: Alert;
      entry: TimelineEntry;
      /** Escalation's own steps: which step fired (`<run token>:<cycle>:<level>`) and the people it paged (analytics' fair load). */
      paged?: { step: string; members: string[] };
    }
  /** An open alert was held by a maintenance window as it began, or released as it ended (src/jobs/maintenance-hold.ts). */
  | { type: 'maintenance'; alert: Alert; previous: Alert; entry: TimelineEntry };

export type AlertEventHandler = (event: AlertEvent) => void | Promise<void>;

/**
 * In-process fan-out. A handler's failure is logged by the caller's `onError` and never reaches
 * the path that emitted the event: ingestion must not fail because a chat platform is down.
 * Durability of what a handler must do (post a card) is the handler's job, through the outbox.
 */
export class AlertEvents {
  private readonly handlers = new Set<AlertEventHandler>();
  constructor(private readonly onError: (err: unknown, event: AlertEvent) => void = () => {}) {}

  subscribe(h: AlertEventHandler): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }

  emit(event: AlertEvent): void {
    for (const h of this.handlers) {
      try {
        const r = h(event);
        if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch((e) => this.onError(e, event));
      } catch (err) {
        this.onError(err, event);
      }
    }
  }
}
