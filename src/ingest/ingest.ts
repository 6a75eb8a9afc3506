import { Types } from 'mongoose';
import type { Alert, TimelineEntry } from '../core/alert.js';
import type { Actor, AlertState, NormalizedEvent } from '../core/types.js';
import type { AlertEvents } from '../events.js';
import { receivedEntry, type AlertStore, type IngestContext } from '../store/alerts.js';
import type { RawEventStore } from '../store/raw-events.js';
import { AlertMarks } from '../store/alert-marks.js';
import type { Models } from '../store/models.js';
import { sourceTime } from '../core/source-times.js';

export interface EventResult {
  alertId: string | null;
  shortId: number | null;
  status: AlertState | 'no-open-alert';
  deduplicated: boolean;
}

/**
 * A storm repeats one alert thousands of times: its timeline keeps the first repeats (with their raw
 * copies), and the alert's `count` says how many there were. Otherwise every repeat would make the
 * alert's timeline document, rewritten on each append, bigger (decision 0006).
 */
export const REPEATS_IN_TIMELINE = 20;

export interface IngestDeps {
  rawEvents: RawEventStore;
  alerts: AlertStore;
  events: AlertEvents;
  /** To record the source's end time of a resolve (absent in a few unit tests). */
  database?: { models: Models };
}

/**
 * Makes accepted events durable and applies them to alerts. The raw copy and the alerts are
 * written side by side (neither needs the other's answer; the raw copy's id is chosen here), and
 * the sender hears 2xx only once both are stored. If the database fails half-way the caller
 * answers 503 and the sender retries; the raw copy of a failed attempt is removed (best effort) so
 * a retry is not counted twice in the audit trail.
 */
export async function ingest(
  deps: IngestDeps,
  ctx: IngestContext,
  rawBody: string,
  events: NormalizedEvent[],
  now: Date,
): Promise<EventResult[]> {
  const rawId = new Types.ObjectId();
  const [raw, applied] = await Promise.allSettled([
    deps.rawEvents.accept({ receivedAt: now, integration: ctx.integration, source: ctx.source, body: rawBody }, rawId),
    applyAll(deps, ctx, events, now, rawId.toHexString()),
  ]);
  if (raw.status === 'fulfilled' && applied.status === 'fulfilled') return applied.value;
  if (raw.status === 'fulfilled') await deps.rawEvents.forget(rawId).catch(() => {});
  throw raw.status === 'rejected' ? raw.reason : (applied as PromiseRejectedResult).reason;
}

/**
 * Events are applied one after another, in the order the tool sent them: repeats of one key stay
 * in order, and alerts of one batch get their short ids (and their cards) in the batch's order.
 */
async function applyAll(deps: IngestDeps, ctx: IngestContext, events: NormalizedEvent[], now: Date, rawEventId: string): Promise<EventResult[]> {
  const results: EventResult[] = [];
  const received: TimelineEntry[] = [];
  const emitted: Array<() => void> = [];
  for (const e of events) results.push(await applyOne(deps, ctx, e, now, received, emitted, rawEventId));
  await deps.alerts.addTimeline(received);
  // Subscribers hear of a change only once it and its timeline are stored.
  for (const emit of emitted) emit();
  return results;
}

async function applyOne(
  deps: IngestDeps,
  ctx: IngestContext,
  e: NormalizedEvent,
  now: Date,
  received: TimelineEntry[],
  emitted: Array<() => void>,
  rawEventId: string,
): Promise<EventResult> {
  const source: Actor = { kind: 'source', name: ctx.integration, via: ctx.source };
  if (e.eventType === 'trigger') {
    // An alert that opens gets its timeline's first entry with it (AlertStore.trigger).
    const { alert, outcome, opened } = await deps.alerts.trigger(ctx, e, now, rawEventId);
    const entry = opened ?? { ...receivedEntry(alert.id, now, ctx, 'received', e.title), rawEventId };
    if (!opened && alert.count <= REPEATS_IN_TIMELINE) received.push(entry);
    emitted.push(() => deps.events.emit({ type: outcome, alert, entry }));
    return result(alert, outcome === 'deduplicated');
  }
  const open = await deps.alerts.findOpen(ctx.integration, e.dedupKey);
  if (!open) return { alertId: null, shortId: null, status: 'no-open-alert', deduplicated: false };
  const action = e.eventType === 'resolve' ? ({ kind: 'resolve', note: e.description } as const) : ({ kind: 'claim' } as const);
  const r = await deps.alerts.transition(open.id, action, source, now);
  if (!r.ok) return result(r.alert ?? open, true); // already in that state: the repeat is harmless
  if (action.kind === 'resolve' && deps.database) {
    const ended = sourceTime(e.occurredAt, now);
    await new AlertMarks(deps.database.models).sourceEnded(r.alert.id, ended);
    r.alert.sourceEndedAt = ended;
  }
  emitted.push(() =>
    deps.events.emit({ type: action.kind === 'resolve' ? 'resolved' : 'claimed', alert: r.alert, previous: r.previous, entry: r.timeline }),
  );
  return result(r.alert, false);
}

function result(alert: Alert, deduplicated: boolean): EventResult {
  return { alertId: alert.id, shortId: alert.shortId, status: alert.state, deduplicated };
}
