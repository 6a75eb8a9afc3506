import { Types } from 'mongoose';
import type { Alert, TimelineEntry } from '../core/alert.js';
import type { Actor, AlertState, NormalizedEvent } from '../core/types.js';
import type { AlertEvents } from '../events.js';
import { receivedEntry, type AlertStore, type IngestContext } from '../store/alerts.js';
import type { RawEventStore } from '../store/raw-events.js';
import { sourceTime } from '../core/source-times.js';
import { pool } from '../core/pool.js';

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
  /** Called each time an event of the batch is applied (the HTTP deadline counts from the last one). */
  progress: () => void = () => {},
): Promise<EventResult[]> {
  const rawId = new Types.ObjectId();
  const [raw, applied] = await Promise.allSettled([
    deps.rawEvents.accept({ receivedAt: now, integration: ctx.integration, source: ctx.source, body: rawBody }, rawId),
    applyAll(deps, ctx, events, now, rawId.toHexString(), progress),
  ]);
  if (raw.status === 'fulfilled' && applied.status === 'fulfilled') return applied.value;
  if (raw.status === 'fulfilled') await deps.rawEvents.forget(rawId).catch(() => {});
  throw raw.status === 'rejected' ? raw.reason : (applied as PromiseRejectedResult).reason;
}

/** How many keys of one batch are applied at once (their writes share group commits). */
export const BATCH_LANES = 32;

/**
 * Events of one key are applied one after another, in the order the tool sent them; different
 * keys go side by side, BATCH_LANES at a time, so a batch of 1,000 alerts (one Alertmanager group
 * of a real outage) costs a few hundred group commits instead of thousands of sequential round
 * trips. Each event takes only its own key's lock, so two batches with the same keys in opposite
 * orders cannot deadlock. New alerts take their short ids in the order their slots are stored:
 * the batch's order, unless a write had to be tried again. Subscribers hear of the changes in the
 * batch's order, once they and their timelines are stored.
 */
async function applyAll(
  deps: IngestDeps,
  ctx: IngestContext,
  events: NormalizedEvent[],
  now: Date,
  rawEventId: string,
  progress: () => void,
): Promise<EventResult[]> {
  const results: EventResult[] = new Array(events.length);
  const received: Array<TimelineEntry | undefined> = new Array(events.length);
  const emitted: Array<(() => void) | undefined> = new Array(events.length);
  const byKey = new Map<string, number[]>();
  events.forEach((e, i) => {
    const same = byKey.get(e.dedupKey);
    if (same) same.push(i);
    else byKey.set(e.dedupKey, [i]);
  });
  await pool([...byKey.values()], BATCH_LANES, async (indexes) => {
    for (const i of indexes) {
      const out: Slot = {};
      results[i] = await applyOne(deps, ctx, events[i]!, now, out, rawEventId);
      received[i] = out.received;
      emitted[i] = out.emit;
      progress();
    }
  });
  await deps.alerts.addTimeline(received.filter((e): e is TimelineEntry => e !== undefined));
  for (const emit of emitted) emit?.();
  return results;
}

/** What applying one event leaves for the batch: a timeline entry to add, an event to emit. */
interface Slot {
  received?: TimelineEntry;
  emit?: () => void;
}

async function applyOne(
  deps: IngestDeps,
  ctx: IngestContext,
  e: NormalizedEvent,
  now: Date,
  out: Slot,
  rawEventId: string,
): Promise<EventResult> {
  const source: Actor = { kind: 'source', name: ctx.integration, via: ctx.source };
  if (e.eventType === 'trigger') {
    // An alert that opens gets its timeline's first entry with it (AlertStore.trigger).
    const { alert, outcome, opened } = await deps.alerts.trigger(ctx, e, now, rawEventId);
    const entry = opened ?? { ...receivedEntry(alert.id, now, ctx, 'received', e.title), rawEventId };
    if (!opened && alert.count <= REPEATS_IN_TIMELINE) out.received = entry;
    out.emit = () => deps.events.emit({ type: outcome, alert, entry });
    return result(alert, outcome === 'deduplicated');
  }
  const open = await deps.alerts.findOpen(ctx.integration, e.dedupKey);
  if (!open) return { alertId: null, shortId: null, status: 'no-open-alert', deduplicated: false };
  const action = e.eventType === 'resolve' ? ({ kind: 'resolve', note: e.description } as const) : ({ kind: 'claim' } as const);
  // The source's end time goes in the resolve's own update.
  const marks = action.kind === 'resolve' ? { sourceEndedAt: sourceTime(e.occurredAt, now) } : {};
  const r = await deps.alerts.transition(open, action, source, now, marks);
  if (!r.ok) return result(r.alert ?? open, true); // already in that state: the repeat is harmless
  out.emit = () => deps.events.emit({ type: action.kind === 'resolve' ? 'resolved' : 'claimed', alert: r.alert, previous: r.previous, entry: r.timeline });
  return result(r.alert, false);
}

function result(alert: Alert, deduplicated: boolean): EventResult {
  return { alertId: alert.id, shortId: alert.shortId, status: alert.state, deduplicated };
}
