import { randomBytes } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { OverrideSpan } from '../core/oncall.js';
import { KeyedLock } from './keyed-lock.js';

/** Who changed the on-call timeline, and from where (the audit trail). */
export interface OverrideActor {
  by: string;
  /** `slack`, `dingtalk`, `wechat`, `rest`. */
  via?: string;
  channel?: string;
  /** The swap (src/store/oncall-swaps.ts) this override is one half of. */
  swap?: string;
}

export interface StoredOverride extends OverrideSpan {
  /** Short, for `override remove <id>`; covers stored before ids existed get one from their creation time. */
  id: string;
  by?: string;
  createdAt: Date;
}

/** One document per schedule (`_id` = schedule id): the covers made from chat. */
export interface OverridesDoc {
  _id: string;
  overrides: Array<OverrideSpan & { id?: string; by?: string; via?: string; createdAt: Date }>;
}

/** One row per change (insert only): `oncallaudit`. */
export interface OnCallAuditEntry {
  _id: string;
  at: Date;
  action: 'add' | 'remove';
  scheduleId: string;
  override: { id: string; member: string; from: Date; to: Date };
  by: string;
  via?: string;
  channel?: string;
  swap?: string;
}

/** Covers older than this are dropped when the document is next written. */
const KEEP_MS = 7 * 86_400_000;

const idOf = (o: { id?: string; createdAt: Date }): string => o.id ?? o.createdAt.getTime().toString(36).slice(-6);

/**
 * On-call overrides made in chat (`cover`), merged after the config's own. Addressed by `_id` only
 * (FerretDB uses no other index); writes to one schedule are serialised in this process. Every
 * change also appends to `oncallaudit` (who, when, from where), after the change itself: an audit
 * row is never written for a change that did not happen.
 */
export class OnCallOverrideStore {
  readonly col: Collection<OverridesDoc>;
  readonly audit: Collection<OnCallAuditEntry>;
  private readonly lock = new KeyedLock();
  /** Orders audit entries of the same instant (a fake clock, or one millisecond) as they were made. */
  private auditSeq = 0;

  constructor(db: Db) {
    this.col = db.collection<OverridesDoc>('oncalloverrides');
    this.audit = db.collection<OnCallAuditEntry>('oncallaudit');
  }

  async forSchedule(scheduleId: string): Promise<OverrideSpan[]> {
    const doc = await this.col.findOne({ _id: scheduleId });
    return (doc?.overrides ?? []).map((o) => ({ member: o.member, from: o.from, to: o.to }));
  }

  /** The schedule's covers with their ids, in the order they apply (the last one wins). */
  async list(scheduleId: string): Promise<StoredOverride[]> {
    const doc = await this.col.findOne({ _id: scheduleId });
    return (doc?.overrides ?? []).map((o) => ({ id: idOf(o), member: o.member, from: o.from, to: o.to, ...(o.by ? { by: o.by } : {}), createdAt: o.createdAt }));
  }

  async add(scheduleId: string, span: OverrideSpan & OverrideActor, now: Date): Promise<StoredOverride> {
    return (await this.addAll(scheduleId, [span], now))[0]!;
  }

  /**
   * Several covers in one write (a swap's pair): both halves are in the document or neither is,
   * since FerretDB has no transactions. Audit rows follow, one per cover.
   */
  async addAll(scheduleId: string, spans: ReadonlyArray<OverrideSpan & OverrideActor>, now: Date): Promise<StoredOverride[]> {
    return this.lock.run(scheduleId, async () => {
      const doc = await this.col.findOne({ _id: scheduleId });
      const kept = (doc?.overrides ?? []).filter((o) => o.to.getTime() > now.getTime() - KEEP_MS);
      const added = spans.map((span) => {
        const { channel: _channel, ...rest } = span;
        return { ...rest, id: randomBytes(3).toString('hex'), createdAt: now };
      });
      await this.col.replaceOne({ _id: scheduleId }, { overrides: [...kept, ...added] }, { upsert: true });
      const stored: StoredOverride[] = [];
      for (const [i, a] of added.entries()) {
        const o: StoredOverride = { id: a.id, member: a.member, from: a.from, to: a.to, by: a.by, createdAt: now };
        await this.record('add', scheduleId, o, spans[i]!, now);
        stored.push(o);
      }
      return stored;
    });
  }

  /** Removes one cover by id; null when the schedule has none of that id. */
  async remove(scheduleId: string, id: string, who: OverrideActor, now: Date): Promise<StoredOverride | null> {
    return this.lock.run(scheduleId, async () => {
      const doc = await this.col.findOne({ _id: scheduleId });
      const all = doc?.overrides ?? [];
      const gone = all.find((o) => idOf(o) === id);
      if (!gone) return null;
      await this.col.replaceOne({ _id: scheduleId }, { overrides: all.filter((o) => o !== gone) }, { upsert: true });
      const stored: StoredOverride = { id, member: gone.member, from: gone.from, to: gone.to, ...(gone.by ? { by: gone.by } : {}), createdAt: gone.createdAt };
      await this.record('remove', scheduleId, stored, who, now);
      return stored;
    });
  }

  /** The latest changes, newest first (a small collection: one row per chat change). */
  async history(limit: number): Promise<OnCallAuditEntry[]> {
    return this.audit.find({}).sort({ at: -1, _id: -1 }).limit(limit).toArray();
  }

  private async record(action: OnCallAuditEntry['action'], scheduleId: string, o: StoredOverride, who: OverrideActor, now: Date): Promise<void> {
    await this.audit.insertOne({
      _id: `${now.getTime().toString(36)}-${(this.auditSeq++).toString(36).padStart(6, '0')}-${randomBytes(4).toString('hex')}`,
      at: now,
      action,
      scheduleId,
      override: { id: o.id, member: o.member, from: o.from, to: o.to },
      by: who.by,
      ...(who.via ? { via: who.via } : {}),
      ...(who.channel ? { channel: who.channel } : {}),
      ...(who.swap ? { swap: who.swap } : {}),
    });
  }
}
