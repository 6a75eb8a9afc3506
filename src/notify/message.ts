import type { NotifyMethod } from '../config/schema.js';
import type { WebhookBodyV1 } from './webhooks/body.js';

/**
 * One message to one person (or one webhook) by one method: a row of the durable outbox.
 * The escalation engine (and later the outgoing webhooks) only insert rows; the sender in
 * src/notify/ drains them (pending → sending → sent | failed), so a crash loses nothing and an
 * engine that runs a step twice inserts the same `_id` twice, which the outbox keeps once.
 */
export interface OutboxMessage {
  /**
   * Idempotency key, unique in the collection. Escalation uses
   * `esc:<alertId>:<run token>:<cycle>:<level>:<target index>:<member|team>:<method>`.
   */
  _id: string;
  /** The alert it is about; empty for a `notice`. */
  alertId: string;
  /**
   * A message about no alert (an on-call reminder, src/oncall/handoffs.ts): its whole text, sent
   * by `dm` only. Such rows have no level, so nothing about an alert can cancel them.
   */
  notice?: { text: string };
  method: Exclude<NotifyMethod, 'chat'>;
  /** The person to reach (address from the directory at send time); absent for `webhook`. */
  memberId?: string;
  /** For `mention` and team-wide messages. */
  teamId?: string;
  /** For `webhook`: the URL. */
  url?: string;
  /** For an outgoing webhook of `webhooks:` (not a page): its name and the body built when the event happened. */
  hook?: { name: string; body: WebhookBodyV1 };
  /** Methods to try, in order, when this one fails for good (the rest of the level's `via`). */
  fallback: Array<Exclude<NotifyMethod, 'chat'>>;
  /** What caused it, for the text and the timeline: `escalation level 2 of 3`. */
  reason: string;
  /** Escalation level (1-based) and cycle (1-based), when it came from escalation. */
  level?: number;
  cycle?: number;
  /**
   * `sending` rows carry a lease in `dueAt`: a row still `sending` after it (its process died
   * mid-send) is due again. `sent`, `failed` and `cancelled` rows leave `outbox` for `outboxlog`
   * (see docs/decisions/0009-outbox-sender.md), so `outbox` holds only work still to do.
   */
  state: 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';
  /** Not before this time (retries with backoff move it); for a `sending` row, its lease's end. */
  dueAt: Date;
  createdAt: Date;
  attempts: number;
  lastError?: string;
  /** The provider's answer (message id, call id) once sent: the delivery receipt. */
  receipt?: string;
  /** Which provider carried it (`aliyun`, `tencent`, `twilio`, `smtp`, `slack`…), once tried. */
  provider?: string;
  sentAt?: Date;
  /** When it reached a final state (sent, failed, cancelled). */
  finishedAt?: Date;
  /** For a fallback row: the `_id` of the row whose permanent failure created it. */
  fallbackOf?: string;
}

/** What a caller gives; the outbox fills in state, attempts and times. */
export type NewOutboxMessage = Omit<OutboxMessage, 'state' | 'dueAt' | 'createdAt' | 'attempts' | 'lastError' | 'receipt' | 'sentAt' | 'provider' | 'finishedAt'> & {
  dueAt?: Date;
};
