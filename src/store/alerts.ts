import { Types } from 'mongoose';
import type { Alert, AlertMaintenance, AlertRoute, TimelineEntry, TimelineKind } from '../core/alert.js';
import { sourceTime } from '../core/source-times.js';
import { decide } from '../core/lifecycle.js';
import { pool } from '../core/pool.js';
import type { Actor, AlertAction, AlertState, NormalizedEvent, SourceType } from '../core/types.js';
import { KeyedLock } from './keyed-lock.js';
import { GroupWriter } from './group-writer.js';
import type { AlertDoc, AlertRefDoc, DedupSlotDoc, Models } from './models.js';
import { ShortIds } from './short-ids.js';
import { Timelines } from './timelines.js';
import { writeGateOf, type WriteGate } from './write-gate.js';
import { countOpenByState, listAlerts, recentAlerts, type ListQuery } from './alert-lists.js';
import { toAlert } from './alert-doc.js';

/** What the ingestion path knows about the integration an event came through. */
export interface IngestContext {
  integration: string;
  source: SourceType;
  application: string;
  team: string;
  /** Dispatch (src/core/routing.ts), asked only when the event opens an alert: its route and first team. */
  dispatch?: (e: NormalizedEvent, receivedAt: Date) => AlertRoute;
  /** Maintenance (src/jobs/maintenance.ts), asked only when the event opens an alert. */
  maintenance?: (e: NormalizedEvent, receivedAt: Date) => AlertMaintenance | undefined;
}

export type TriggerOutcome = 'opened' | 'deduplicated';

export type TransitionResult =
  | { ok: true; alert: Alert; previous: Alert; timeline: TimelineEntry }
  | { ok: false; status: 404 | 409; reason: string; alert?: Alert };

const lockKey = (integration: string, dedupKey: string): string => `alert:${integration}:${dedupKey}`;
/** The `_id` of an open alert's slot in `dedupslots`. */
const slotId = (integration: string, dedupKey: string): string => `${integration}:${dedupKey}`;
/** Past this many remembered slots the memory starts again (it is only a shortcut). */
const SLOT_MEMORY_MAX = 50_000;

export { toAlert } from './alert-doc.js';

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;
}

interface TriggerGroup {
  ctx: IngestContext;
  /** The first event: if the group opens the alert, it is opened with this event's data. */
  event: NormalizedEvent;
  /** The first event's raw copy: the opened alert's first timeline entry points to it. */
  rawEventId?: string;
  firstAt: Date;
  lastAt: Date;
  waiters: Array<{ resolve: (r: TriggerResult) => void; reject: (err: unknown) => void }>;
}

export interface TriggerResult {
  alert: Alert;
  outcome: TriggerOutcome;
  /** When the event opened the alert: the timeline's first entry, stored with the alert. */
  opened?: TimelineEntry;
}

/** Facts written with a transition in the same update (a resolve's end time as the source gave it). */
export interface TransitionMarks {
  sourceEndedAt?: Date;
}

export interface AlertStoreOptions {
  /**
   * Add `version` (and slot owner) conditions to updates: atomic compare-and-set on MongoDB.
   * Off on FerretDB 1.24, where such a condition gives no atomicity (see decision 0003) and turns
   * an indexed `_id` lookup into a scan of the whole collection (decision 0004).
   */
  casFilters: boolean;
}

/** From this many ids on, getMany() asks `alerts` once rather than by `_id` each. */
const MANY = 200;

/**
 * The only code that reads and writes alerts and their timelines.
 *
 * Every hot-path read and write addresses one document by `_id` alone: the open alert of a dedup
 * key through `dedupslots` (`_id` = integration:key), a short id through `alertrefs`
 * (`_id` = "12"), a timeline through `timelines` (`_id` = the alert's id). MongoDB indexes any
 * field; FerretDB 1.24 on SQLite uses an index only for a filter that is exactly `{_id}` and scans
 * the collection for anything else. The few reads that filter (lists, counts, card resync) read
 * `alerts`, which holds only open alerts and the last day's resolved ones: older ones are moved to
 * `alertarchive` (src/store/alert-archive.ts), where lookups by id still find them.
 */
export class AlertStore {
  /** Writes to one alert (keyed by integration and dedup key) are serialised in this process. */
  private readonly lock = new KeyedLock();
  private readonly timelines: Timelines;
  private readonly shortIds: ShortIds;
  private readonly refWriter: GroupWriter<AlertRefDoc>;
  private readonly slotWriter: GroupWriter<DedupSlotDoc>;
  private readonly alertWriter: GroupWriter<AlertDoc>;
  /**
   * The alert each dedup slot pointed at when we last used it: a repeat then costs one write and
   * no read. Only a shortcut — a stale entry (the alert resolved elsewhere) is noticed by the
   * repeat's own answer and the slot is read again.
   */
  private readonly slotMemory = new Map<string, Types.ObjectId>();
  private readonly gate: WriteGate;
  /** Triggers waiting for their key's lock, combined into one write when it is their turn. */
  private readonly waitingTriggers = new Map<string, TriggerGroup>();

  constructor(
    private readonly m: Models,
    private readonly opts: AlertStoreOptions = { casFilters: true },
  ) {
    this.gate = writeGateOf(m.Alert.db);
    this.timelines = new Timelines(m);
    this.shortIds = new ShortIds(m, this.gate);
    this.refWriter = new GroupWriter(m.AlertRef.collection as never, 500, this.gate);
    this.slotWriter = new GroupWriter(m.DedupSlot.collection as never, 500, this.gate);
    this.alertWriter = new GroupWriter(m.Alert.collection as never, 500, this.gate);
  }

  /** Short ids come from blocks reserved in `counters` (src/store/short-ids.ts). */
  async nextShortId(): Promise<number> {
    return this.shortIds.take();
  }

  /**
   * A trigger either repeats the open alert of its dedup key (count + 1) or opens a new one.
   * "At most one open alert per key" is the unique `_id` of its slot: of two concurrent openers
   * one insert wins, and the other goes round and counts its event as a repeat.
   *
   * Triggers of one key that arrive while an earlier write to that key is under way are combined
   * into one write (count + n): a storm of repeats costs a few round trips, not one each, and every
   * caller still hears back only once its event is stored.
   */
  async trigger(ctx: IngestContext, e: NormalizedEvent, now: Date, rawEventId?: string): Promise<TriggerResult> {
    const key = lockKey(ctx.integration, e.dedupKey);
    return new Promise((resolve, reject) => {
      let group = this.waitingTriggers.get(key);
      if (!group) {
        const created: TriggerGroup = { ctx, event: e, rawEventId, firstAt: now, lastAt: now, waiters: [] };
        this.waitingTriggers.set(key, created);
        group = created;
        void this.lock.run(key, () => this.runTriggerGroup(key, created));
      }
      if (now > group.lastAt) group.lastAt = now;
      group.waiters.push({ resolve, reject });
    });
  }

  private async runTriggerGroup(key: string, group: TriggerGroup): Promise<void> {
    if (this.waitingTriggers.get(key) === group) this.waitingTriggers.delete(key);
    try {
      const { alert, outcome, opened } = await this.triggerLocked(group, group.waiters.length);
      group.waiters.forEach((w, i) => w.resolve(i === 0 ? { alert, outcome, opened } : { alert, outcome: 'deduplicated' }));
    } catch (err) {
      for (const w of group.waiters) w.reject(err);
    }
  }

  private async triggerLocked(group: TriggerGroup, n: number): Promise<TriggerResult> {
    const { ctx, event: e, firstAt: now, lastAt } = group;
    const key = slotId(ctx.integration, e.dedupKey);
    for (let attempt = 0; ; attempt++) {
      const remembered = this.slotMemory.get(key);
      // A key this process has not seen is tried as a new alert first (the slot's insert says
      // whether it is): a new alert then costs no read, a repeat after a restart one failed insert.
      const alertId = remembered ?? (attempt === 0 ? undefined : (await this.m.DedupSlot.findById(key).lean())?.alertId);
      if (alertId) {
        const repeated = await this.countRepeats(alertId, n, lastAt);
        if (repeated && repeated.state !== 'resolved') {
          this.remember(key, alertId);
          return { alert: toAlert(repeated), outcome: 'deduplicated' };
        }
        this.slotMemory.delete(key);
        if (repeated) await this.m.Alert.updateOne({ _id: alertId }, { $inc: { count: -n, rev: -1 } });
        if (remembered) continue; // our memory was stale: read the slot itself
        // A slot left behind (a crash between resolving and freeing it, or before the alert was
        // written): free it and open a new alert.
        await this.m.DedupSlot.collection.deleteOne({ _id: key } as never);
      }

      const _id = new Types.ObjectId();
      try {
        await this.slotWriter.insert({ _id: key, alertId: _id });
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= 5) throw err;
        continue; // the key is open already (opened before this process started, or by another): a repeat
      }
      const route = ctx.dispatch?.(e, now);
      const doc: AlertDoc = {
        _id,
        shortId: await this.nextShortId(),
        integration: ctx.integration,
        source: ctx.source,
        application: ctx.application,
        team: route?.teams[0] ?? ctx.team,
        route,
        dedupKey: e.dedupKey,
        state: 'triggered',
        version: 1,
        title: e.title,
        severity: e.severity,
        description: e.description,
        host: e.host,
        service: e.service,
        labels: e.labels,
        links: e.links,
        count: n,
        rev: 1,
        firstSeenAt: now,
        lastSeenAt: lastAt,
        sourceStartedAt: sourceTime(e.occurredAt, now),
        maintenance: ctx.maintenance?.(e, now),
        escalationLevel: 0,
      };
      const opened: TimelineEntry = { ...receivedEntry(_id.toHexString(), now, ctx, 'opened', e.title), ...(group.rawEventId ? { rawEventId: group.rawEventId } : {}) };
      // The alert, its short id and its timeline's first entry are three inserts of one group
      // commit: none needs another's answer, and the caller hears back once all are stored.
      await Promise.all([
        this.alertWriter.insert(stripUndefined(doc)),
        this.refWriter.insert({ _id: String(doc.shortId), alertId: _id }),
        this.timelines.add([opened], { created: true }),
      ]);
      this.remember(key, _id);
      return { alert: toAlert(doc), outcome: 'opened', opened };
    }
  }

  /** count + n on the alert, answered with the alert after the change (null when it is gone). */
  private async countRepeats(alertId: Types.ObjectId, n: number, lastAt: Date): Promise<AlertDoc | null> {
    // One findAndModify, not a grouped update plus a read: measured with 32 senders on 8 keys
    // (bench/cost.ts), FerretDB spent ~25% less CPU per repeat, and the read is one round trip less.
    const update = { $inc: { count: n, rev: 1 }, $set: { lastSeenAt: lastAt } };
    return this.gate.run(() => this.m.Alert.collection.findOneAndUpdate({ _id: alertId }, update, { returnDocument: 'after' })) as Promise<AlertDoc | null>;
  }

  private remember(key: string, alertId: Types.ObjectId): void {
    if (this.slotMemory.size >= SLOT_MEMORY_MAX) this.slotMemory.clear();
    this.slotMemory.set(key, alertId);
  }

  /** Runs `task` with this alert's writes serialised with every other change to it (escalation's read-decide-write). */
  withLock<T>(alert: Pick<Alert, 'integration' | 'dedupKey'>, task: () => Promise<T>): Promise<T> {
    return this.lock.run(lockKey(alert.integration, alert.dedupKey), task);
  }

  /**
   * Inside `withLock`: a mark of this alert's writes so far, and later (inside another `withLock`)
   * whether nothing took its lock in between. On FerretDB, where one dutybot owns the database
   * (decision 0003), that proves an alert read under the first lock is still current.
   */
  lockMark(alert: Pick<Alert, 'integration' | 'dedupKey'>): string {
    return this.lock.mark(lockKey(alert.integration, alert.dedupKey));
  }

  unchangedSince(alert: Pick<Alert, 'integration' | 'dedupKey'>, mark: string): boolean {
    return this.lock.unchangedSince(lockKey(alert.integration, alert.dedupKey), mark);
  }

  async findOpen(integration: string, dedupKey: string): Promise<Alert | null> {
    const slot = await this.m.DedupSlot.findById(slotId(integration, dedupKey)).lean();
    if (!slot) return null;
    const alert = await this.byId(slot.alertId);
    return alert && alert.state !== 'resolved' ? alert : null;
  }

  /** `#12`, `12` or a 24-hex id. */
  async get(ref: string): Promise<Alert | null> {
    const s = ref.trim().replace(/^[#＃]/, '');
    if (/^[0-9a-fA-F]{24}$/.test(s)) return this.byId(new Types.ObjectId(s));
    if (!/^[0-9]{1,12}$/.test(s)) return null;
    const r = await this.m.AlertRef.findById(String(Number(s))).lean();
    return r ? this.byId(r.alertId) : null;
  }

  /**
   * The alerts that exist among these 24-hex ids, in the order given (the card sender reads a
   * folded backlog and a summary's alerts with it). A few are read by `_id`, 16 at a time; many
   * in one `$in` query on `alerts`: an index lookup on MongoDB and one scan on FerretDB, cheaper
   * there than hundreds of lookups since `alerts` holds only open and recent alerts (2,000 of
   * them: 2.4 s against 10 s on a busy 2-core machine). The archive is asked for the rest by `_id`.
   */
  async getMany(ids: readonly string[]): Promise<Alert[]> {
    const found = new Map<string, Alert>();
    if (ids.length >= MANY) {
      const docs = await this.m.Alert.find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }).lean();
      for (const d of docs) found.set(d._id.toHexString(), toAlert(d));
    }
    await pool(
      ids.filter((id) => !found.has(id)),
      16,
      async (id) => {
        const a = await this.byId(new Types.ObjectId(id));
        if (a) found.set(id, a);
      },
    );
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /** `alerts` first (open and recent alerts), then the archive. */
  private async byId(id: Types.ObjectId): Promise<Alert | null> {
    const doc = (await this.m.Alert.findById(id).lean()) ?? (await this.m.ArchivedAlert.findById(id).lean());
    return doc ? toAlert(doc) : null;
  }

  /**
   * Applies an action with compare-and-set on `version`. When another change lands first, the
   * alert is re-read and the state machine asked again, so the answer reflects the winner.
   */
  /** `ref`: `#12`, an id, or the alert as just read (it is read again under its lock). */
  async transition(ref: string | Alert, action: AlertAction, actor: Actor, now: Date, marks: TransitionMarks = {}): Promise<TransitionResult> {
    const found = typeof ref === 'string' ? await this.get(ref) : ref;
    if (!found) return { ok: false, status: 404, reason: `no alert ${ref}` };
    return this.lock.run(lockKey(found.integration, found.dedupKey), () => this.transitionLocked(found.id, action, actor, now, marks));
  }

  private async transitionLocked(id: string, action: AlertAction, actor: Actor, now: Date, marks: TransitionMarks): Promise<TransitionResult> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await this.get(id);
      if (!current) return { ok: false, status: 404, reason: `no alert ${id}` };
      const d = decide(current, action, actor, now);
      if (!d.ok) return { ok: false, status: 409, reason: d.reason, alert: current };
      const $set: Record<string, unknown> = { ...d.set, ...marks };
      if (d.mutedUntil) $set.mutedUntil = d.mutedUntil;
      const update: Record<string, unknown> = { $set, $inc: { version: 1, rev: 1 } };
      if (d.unset?.length) update.$unset = Object.fromEntries(d.unset.map((f) => [f, 1]));
      const _id = new Types.ObjectId(current.id);
      const timeline: TimelineEntry = { alertId: current.id, at: now, kind: d.timeline, actor, text: d.text };
      const resolved = d.set.state === 'resolved';
      const key = slotId(current.integration, current.dedupKey);
      if (!this.opts.casFilters) {
        // FerretDB: this process owns the database and holds the alert's lock, so the alert read
        // above is current and the change is known without reading it back. The update, the freed
        // slot and the timeline entry go by group commit: a batch of 1,000 resolves costs a few
        // dozen commands instead of 3,000 (a findAndModify costs FerretDB far more than an
        // update by `_id` inside a bulk command; decision 0018).
        if (resolved) this.slotMemory.delete(key);
        await Promise.all([
          this.alertWriter.write({ updateOne: { filter: { _id }, update } } as never),
          resolved ? this.slotWriter.write({ deleteOne: { filter: { _id: key } } } as never) : undefined,
          this.addTimeline([timeline]),
        ]);
        const after: Alert = { ...current, ...(d.set as Partial<Alert>), ...marks, version: current.version + 1, rev: current.rev + 1 };
        if (d.mutedUntil) after.mutedUntil = d.mutedUntil;
        for (const f of d.unset ?? []) delete after[f];
        return { ok: true, alert: after, previous: current, timeline };
      }
      const updated = await this.gate.run(() => this.m.Alert.findOneAndUpdate({ _id, version: current.version }, update, { returnDocument: 'after' }).lean());
      if (!updated) continue;
      if (resolved) {
        // Frees the dedup key: the next trigger opens a new alert.
        this.slotMemory.delete(key);
        await this.gate.run(() => this.m.DedupSlot.collection.deleteOne({ _id: key, alertId: _id } as never));
      }
      await this.addTimeline([timeline]);
      return { ok: true, alert: toAlert(updated), previous: current, timeline };
    }
    return { ok: false, status: 409, reason: 'the alert is changing too fast; try again' };
  }

  async addTimeline(entries: TimelineEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.timelines.add(entries);
  }

  async timeline(alertId: string): Promise<TimelineEntry[]> {
    return this.timelines.read(alertId);
  }

  /** Newest first, continuing into the archive when resolved alerts may be listed (src/store/alert-lists.ts). */
  list(q: ListQuery): Promise<Alert[]> {
    return listAlerts(this.m, q, (ref) => this.get(ref));
  }

  /** Alerts still open, and those resolved since `since` (their cards may still need the final edit). */
  recent(since: Date, limit: number): Promise<Alert[]> {
    return recentAlerts(this.m, since, limit);
  }

  countByState(): Promise<Record<AlertState, number>> {
    return countOpenByState(this.m);
  }
}

export function receivedEntry(alertId: string, at: Date, ctx: IngestContext, kind: TimelineKind, text: string): TimelineEntry {
  return { alertId, at, kind, actor: { kind: 'source', name: ctx.integration, via: ctx.source }, text };
}

/** MongoDB stores `undefined` as null; we keep absent fields absent. */
function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
