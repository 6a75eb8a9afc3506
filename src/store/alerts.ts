import { Types } from 'mongoose';
import type { Alert, TimelineEntry, TimelineKind } from '../core/alert.js';
import { decide } from '../core/lifecycle.js';
import type { Actor, AlertAction, AlertState, NormalizedEvent, SourceType } from '../core/types.js';
import { KeyedLock } from './keyed-lock.js';
import { GroupWriter } from './group-writer.js';
import type { AlertDoc, Models, TimelineDoc } from './models.js';

/** What the ingestion path knows about the integration an event came through. */
export interface IngestContext {
  integration: string;
  source: SourceType;
  application: string;
  team: string;
}

export type TriggerOutcome = 'opened' | 'deduplicated';

export type TransitionResult =
  | { ok: true; alert: Alert; previous: Alert; timeline: TimelineEntry }
  | { ok: false; status: 404 | 409; reason: string; alert?: Alert };

export interface ListQuery {
  states?: AlertState[];
  team?: string;
  ownerId?: string;
  limit: number;
  /** The id of the last alert of the previous page (alerts come newest first). */
  cursor?: string;
}

const lockKey = (integration: string, dedupKey: string): string => `alert:${integration}:${dedupKey}`;
const openSlot = (integration: string, dedupKey: string): string => `${integration}:${dedupKey}:open`;

export function toAlert(doc: AlertDoc): Alert {
  const { _id, dedupSlot: _slot, ...rest } = doc;
  return { ...rest, id: _id.toHexString() };
}

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;
}

/** The only code that reads and writes alerts and their timelines. */
export class AlertStore {
  /** Writes to one alert (keyed by its open slot's integration and dedup key) are serialised. */
  private readonly lock = new KeyedLock();
  private readonly timelineWriter: GroupWriter<TimelineDoc>;

  constructor(private readonly m: Models) {
    this.timelineWriter = new GroupWriter(m.Timeline.collection as never);
  }

  async nextShortId(): Promise<number> {
    return this.lock.run('counter:alert', async () => {
      const c = await this.m.Counter.findOneAndUpdate(
        { _id: 'alert' },
        { $inc: { seq: 1 } },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      return c!.seq;
    });
  }

  /**
   * A trigger either repeats the open alert of its dedup key (count + 1) or opens a new one.
   * The unique `dedupSlot` makes "at most one open alert per key" hold under any concurrency:
   * a losing insert falls back to the repeat path.
   */
  async trigger(ctx: IngestContext, e: NormalizedEvent, now: Date): Promise<{ alert: Alert; outcome: TriggerOutcome }> {
    return this.lock.run(lockKey(ctx.integration, e.dedupKey), () => this.triggerLocked(ctx, e, now));
  }

  private async triggerLocked(ctx: IngestContext, e: NormalizedEvent, now: Date): Promise<{ alert: Alert; outcome: TriggerOutcome }> {
    const slot = openSlot(ctx.integration, e.dedupKey);
    for (let attempt = 0; ; attempt++) {
      const repeated = await this.m.Alert.findOneAndUpdate(
        { dedupSlot: slot },
        { $inc: { count: 1, rev: 1 }, $set: { lastSeenAt: now } },
        { returnDocument: 'after' },
      ).lean();
      if (repeated) return { alert: toAlert(repeated), outcome: 'deduplicated' };

      const doc: AlertDoc = {
        _id: new Types.ObjectId(),
        shortId: await this.nextShortId(),
        integration: ctx.integration,
        source: ctx.source,
        application: ctx.application,
        team: ctx.team,
        dedupKey: e.dedupKey,
        dedupSlot: slot,
        state: 'triggered',
        version: 1,
        title: e.title,
        severity: e.severity,
        description: e.description,
        host: e.host,
        service: e.service,
        labels: e.labels,
        links: e.links,
        count: 1,
        rev: 1,
        firstSeenAt: now,
        lastSeenAt: now,
        escalationLevel: 0,
      };
      try {
        await this.m.Alert.collection.insertOne(stripUndefined(doc));
        return { alert: toAlert(doc), outcome: 'opened' };
      } catch (err) {
        // Another request opened it first: go round and count ours as a repeat.
        if (!isDuplicateKey(err) || attempt >= 5) throw err;
      }
    }
  }

  async findOpen(integration: string, dedupKey: string): Promise<Alert | null> {
    const doc = await this.m.Alert.findOne({ dedupSlot: openSlot(integration, dedupKey) }).lean();
    return doc ? toAlert(doc) : null;
  }

  /** `#12`, `12` or a 24-hex id. */
  async get(ref: string): Promise<Alert | null> {
    const filter = refFilter(ref);
    if (!filter) return null;
    const doc = await this.m.Alert.findOne(filter).lean();
    return doc ? toAlert(doc) : null;
  }

  /**
   * Applies an action with compare-and-set on `version`. When another change lands first, the
   * alert is re-read and the state machine asked again, so the answer reflects the winner.
   */
  async transition(ref: string, action: AlertAction, actor: Actor, now: Date): Promise<TransitionResult> {
    const found = await this.get(ref);
    if (!found) return { ok: false, status: 404, reason: `no alert ${ref}` };
    return this.lock.run(lockKey(found.integration, found.dedupKey), () => this.transitionLocked(found.id, action, actor, now));
  }

  private async transitionLocked(id: string, action: AlertAction, actor: Actor, now: Date): Promise<TransitionResult> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await this.get(id);
      if (!current) return { ok: false, status: 404, reason: `no alert ${id}` };
      const d = decide(current, action, actor, now);
      if (!d.ok) return { ok: false, status: 409, reason: d.reason, alert: current };
      const $set: Record<string, unknown> = { ...d.set };
      if (d.set.state === 'resolved') $set.dedupSlot = `${current.integration}:${current.dedupKey}:${current.id}`;
      if (d.mutedUntil) $set.mutedUntil = d.mutedUntil;
      const update: Record<string, unknown> = { $set, $inc: { version: 1, rev: 1 } };
      if (d.unset?.length) update.$unset = Object.fromEntries(d.unset.map((f) => [f, 1]));
      const updated = await this.m.Alert.findOneAndUpdate(
        { _id: new Types.ObjectId(current.id), version: current.version },
        update,
        { returnDocument: 'after' },
      ).lean();
      if (!updated) continue;
      const timeline: TimelineEntry = { alertId: current.id, at: now, kind: d.timeline, actor, text: d.text };
      await this.addTimeline([timeline]);
      return { ok: true, alert: toAlert(updated), previous: current, timeline };
    }
    return { ok: false, status: 409, reason: 'the alert is changing too fast; try again' };
  }

  async addTimeline(entries: TimelineEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await Promise.all(
      entries.map((e) => this.timelineWriter.insert(stripUndefined({ ...e, alertId: new Types.ObjectId(e.alertId) }) as TimelineDoc)),
    );
  }

  async timeline(alertId: string): Promise<TimelineEntry[]> {
    const docs = await this.m.Timeline.find({ alertId: new Types.ObjectId(alertId) })
      .sort({ at: 1, _id: 1 })
      .limit(1000)
      .lean();
    return docs.map(({ _id, alertId: a, ...rest }) => ({ ...rest, alertId: a.toHexString() }) as TimelineEntry);
  }

  async list(q: ListQuery): Promise<Alert[]> {
    const filter: Record<string, unknown> = {};
    if (q.states?.length) filter.state = { $in: q.states };
    if (q.team) filter.team = q.team;
    if (q.ownerId) filter['owner.memberId'] = q.ownerId;
    if (q.cursor) filter._id = { $lt: new Types.ObjectId(q.cursor) };
    const docs = await this.m.Alert.find(filter).sort({ _id: -1 }).limit(q.limit).lean();
    return docs.map(toAlert);
  }

  /** Alerts still open, and those resolved since `since` (their cards may still need the final edit). */
  async recent(since: Date, limit: number): Promise<Alert[]> {
    const docs = await this.m.Alert.find({ $or: [{ state: { $ne: 'resolved' } }, { resolvedAt: { $gte: since } }] })
      .sort({ _id: 1 })
      .limit(limit)
      .lean();
    return docs.map(toAlert);
  }

  async countByState(): Promise<Record<AlertState, number>> {
    const rows = await this.m.Alert.aggregate<{ _id: AlertState; n: number }>([
      { $match: { state: { $in: ['triggered', 'acknowledged'] } } },
      { $group: { _id: '$state', n: { $sum: 1 } } },
    ]);
    const out: Record<AlertState, number> = { triggered: 0, acknowledged: 0, resolved: 0 };
    for (const r of rows) out[r._id] = r.n;
    return out;
  }
}

export function refFilter(ref: string): Record<string, unknown> | null {
  const s = ref.trim().replace(/^#/, '');
  if (/^[0-9]{1,12}$/.test(s)) return { shortId: Number(s) };
  if (/^[0-9a-fA-F]{24}$/.test(s)) return { _id: new Types.ObjectId(s) };
  return null;
}

export function receivedEntry(alertId: string, at: Date, ctx: IngestContext, kind: TimelineKind, text: string): TimelineEntry {
  return { alertId, at, kind, actor: { kind: 'source', name: ctx.integration, via: ctx.source }, text };
}

/** MongoDB stores `undefined` as null; we keep absent fields absent. */
function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
