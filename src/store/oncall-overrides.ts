import type { Collection, Db } from 'mongodb';
import type { OverrideSpan } from '../core/oncall.js';
import { KeyedLock } from './keyed-lock.js';

/** One document per schedule (`_id` = schedule id): the covers made from chat. */
export interface OverridesDoc {
  _id: string;
  overrides: Array<OverrideSpan & { by?: string; createdAt: Date }>;
}

/** Covers older than this are dropped when the document is next written. */
const KEEP_MS = 7 * 86_400_000;

/**
 * On-call overrides made in chat (`cover`), merged after the config's own. Addressed by `_id` only
 * (FerretDB uses no other index); writes to one schedule are serialised in this process.
 */
export class OnCallOverrideStore {
  readonly col: Collection<OverridesDoc>;
  private readonly lock = new KeyedLock();

  constructor(db: Db) {
    this.col = db.collection<OverridesDoc>('oncalloverrides');
  }

  async forSchedule(scheduleId: string): Promise<OverrideSpan[]> {
    const doc = await this.col.findOne({ _id: scheduleId });
    return (doc?.overrides ?? []).map((o) => ({ member: o.member, from: o.from, to: o.to }));
  }

  async add(scheduleId: string, span: OverrideSpan & { by?: string }, now: Date): Promise<void> {
    await this.lock.run(scheduleId, async () => {
      const doc = await this.col.findOne({ _id: scheduleId });
      const kept = (doc?.overrides ?? []).filter((o) => o.to.getTime() > now.getTime() - KEEP_MS);
      const overrides = [...kept, { ...span, createdAt: now }];
      await this.col.replaceOne({ _id: scheduleId }, { overrides }, { upsert: true });
    });
  }
}
