// The boundary of maintenance windows: what the rest of dutybot (ingestion, chat, REST, console)
// asks of them, without the service's own machinery. Runtime holds a `Maintenance`; keeping this
// file free of `Runtime` is what keeps the runtime out of an import circle.
import type { Matchers } from '../config/schema.js';
import type { Alert, AlertMaintenance } from '../core/alert.js';
import type { Arrival } from '../core/routing.js';
import type { Actor, NormalizedEvent } from '../core/types.js';
import type { MaintenanceChange, MaintenanceDoc } from '../store/maintenance.js';

/** A refusal with the right form, in both languages (chat answers privately, REST with 4xx). */
export class MaintenanceError extends Error {
  constructor(
    readonly status: number,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

/** What its creator gives; `team` is the team of the channel it was created in, if any. */
export type NewWindow = Pick<MaintenanceDoc, 'match' | 'all' | 'startsAt' | 'endsAt' | 'reason' | 'createdBy'> & { team?: string };

export interface WindowEnd {
  doc: MaintenanceDoc;
  /** Alerts that opened inside the window. */
  fired: number;
  /** Alerts already open when it began, held by it. */
  held: number;
  resolved: number;
  /** Those still firing, released now (their escalation runs again from level 1). */
  released: Alert[];
}

/** Maintenance windows as ingestion, chat, REST and the console use them (src/jobs/maintenance.ts). */
export interface Maintenance {
  /** Asked by ingestion when an event opens an alert: the window it opens in, if any. */
  windowFor(arrival: Arrival, e: Omit<NormalizedEvent, 'eventType' | 'dedupKey'>, at: Date): AlertMaintenance | undefined;
  /** Validates and opens a one-off window; throws {@link MaintenanceError}. */
  create(w: NewWindow): Promise<MaintenanceDoc>;
  /** The open alerts a window with these matchers would hold if it began now. */
  preview(match: Matchers, limit?: number): Promise<Alert[]>;
  /** Ends a window now (early, by someone) or on time (`by` absent). */
  end(id: string, by?: Actor): Promise<WindowEnd>;
  /** One window with its audit trail (null if unknown). */
  get(id: string): Promise<MaintenanceDoc | null>;
  /** The audit trail of the latest windows, newest change first. */
  audit(windows?: number): Promise<Array<MaintenanceChange & { windowId: string }>>;
  /** Windows ended since `since`, latest first. */
  endedSince(since: Date, limit?: number): Promise<MaintenanceDoc[]>;
  /** Windows not yet ended, soonest end first. */
  list(): MaintenanceDoc[];
}

export function windowRef(doc: Pick<MaintenanceDoc, '_id' | 'kind' | 'name'>): string {
  return doc.kind === 'recurring' ? `"${doc.name}"` : `#${doc._id}`;
}

/** `host=db-1 hostgroup=mysql` or `all`: the matchers as people wrote them. */
export function describeMatch(doc: Pick<MaintenanceDoc, 'match' | 'all'>): string {
  const m = doc.match;
  const parts = [
    ...(m.labels ?? []),
    ...(m.hostGroup ?? []).map((g) => `hostgroup=${g}`),
    ...(m.integration ?? []).map((g) => `integration=${g}`),
    ...(m.application ?? []).map((g) => `application=${g}`),
    ...(m.source ?? []).map((g) => `source=${g}`),
    ...(m.severity ?? []).map((g) => `severity=${g}`),
    ...(m.severityAtLeast ? [`severity>=${m.severityAtLeast}`] : []),
    ...(m.title ? [`title~/${m.title}/`] : []),
    ...(m.text ? [`text~/${m.text}/`] : []),
  ];
  return parts.length ? parts.join(' ') : 'all';
}

/** One line of the audit trail: the change, who, when, and what the window was then. */
export function changeOf(doc: MaintenanceDoc, action: MaintenanceChange['action'], by: Actor, at: Date, note?: string): MaintenanceChange {
  return {
    at,
    action,
    by,
    match: doc.match,
    all: doc.all,
    startsAt: doc.startsAt,
    endsAt: doc.endsAt,
    ...(doc.reason ? { reason: doc.reason } : {}),
    ...(note ? { note } : {}),
  };
}
