import { z } from 'zod';
import type { WebhookEvent } from '../../config/schema.js';
import type { Alert, TimelineEntry } from '../../core/alert.js';
import type { AlertState, Severity, SourceType } from '../../core/types.js';

/**
 * The JSON body of an outgoing webhook, version 1 (documented in the README, "Outgoing
 * webhooks"). Stable: fields are only ever added; a change that would break a receiver bumps
 * `version`. Times are ISO 8601 UTC strings. The body is built once, when the event happens, and
 * stored on the outbox row, so every retry sends the same bytes (only the signature's timestamp
 * changes).
 */
export interface WebhookBodyV1 {
  version: 1;
  /** Unique per delivery and the same on every retry (also the `Idempotency-Key` header). */
  id: string;
  /** The webhook's `name` in dutybot.yaml. */
  webhook: string;
  event: WebhookEvent;
  /** When the event happened. */
  at: string;
  alert: {
    id: string;
    /** `#42` in chat; `42` in commands and REST. */
    shortId: number;
    title: string;
    description?: string;
    severity: Severity;
    state: AlertState;
    team: string;
    application: string;
    integration: string;
    source: SourceType;
    host?: string;
    service?: string;
    labels: Record<string, string>;
    /** How many trigger events it absorbed. */
    count: number;
    firstSeenAt: string;
    lastSeenAt: string;
    owner?: { memberId?: string; name: string };
    resolvedAt?: string;
    mutedUntil?: string;
    escalationLevel: number;
  };
  /** The timeline entry of this event: who did it, through what, and the note or reason. */
  entry: {
    kind: string;
    at: string;
    actor: { kind: 'member' | 'source' | 'system'; name: string; memberId?: string; via: string };
    text?: string;
  };
}

const iso = (d: Date | undefined): string | undefined => (d ? new Date(d).toISOString() : undefined);

/** Drops undefined keys, so the stored body and the JSON sent are the same object. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The alert as every outgoing body shows it (`alert` of {@link WebhookBodyV1}). */
export function webhookAlert(alert: Alert): WebhookBodyV1['alert'] {
  return defined({
    id: alert.id,
    shortId: alert.shortId,
    title: alert.title,
    description: alert.description,
    severity: alert.severity,
    state: alert.state,
    team: alert.team,
    application: alert.application,
    integration: alert.integration,
    source: alert.source,
    host: alert.host,
    service: alert.service,
    labels: Object.fromEntries(alert.labels.map((l) => [l.name, l.value])),
    count: alert.count,
    firstSeenAt: iso(alert.firstSeenAt)!,
    lastSeenAt: iso(alert.lastSeenAt)!,
    owner: alert.owner ? defined({ memberId: alert.owner.memberId, name: alert.owner.name }) : undefined,
    resolvedAt: iso(alert.resolvedAt),
    mutedUntil: iso(alert.mutedUntil),
    escalationLevel: alert.escalationLevel,
  });
}

/**
 * The body of a remediation action's POST (`run restart-nginx 42`), version 1: which action,
 * who ran it, and the alert as in {@link WebhookBodyV1}. Signed the same way.
 */
export interface ActionRunBodyV1 {
  version: 1;
  /** Also the `Idempotency-Key`. */
  id: string;
  action: string;
  at: string;
  by: { memberId: string; name: string; via: string };
  /** With `approval: n`: every member who approved it, in order (`by` is the last of them). */
  approvedBy?: Array<{ memberId: string; name: string; at: string }>;
  alert: WebhookBodyV1['alert'];
}

export function webhookBody(id: string, webhook: string, event: WebhookEvent, alert: Alert, entry: TimelineEntry): WebhookBodyV1 {
  return {
    version: 1,
    id,
    webhook,
    event,
    at: iso(entry.at)!,
    alert: webhookAlert(alert),
    entry: defined({
      kind: entry.kind,
      at: iso(entry.at)!,
      actor: defined({ kind: entry.actor.kind, name: entry.actor.name, memberId: entry.actor.memberId, via: entry.actor.via }),
      text: entry.text,
    }),
  };
}

/**
 * What a receiver may answer (with a 2xx) to act back on the alert: `{"action": "resolve",
 * "note": "nginx restarted"}`. Anything else (another shape, extra keys, not JSON) is ignored and
 * logged, never applied. An empty body or `{}` means "no action".
 */
export const actBackSchema = z.strictObject({
  action: z.enum(['resolve', 'claim', 'note']),
  note: z.string().trim().min(1).max(500).optional(),
});
export type ActBack = z.output<typeof actBackSchema>;
