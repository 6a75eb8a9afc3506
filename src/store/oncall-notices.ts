import type { Collection, Db } from 'mongodb';

/**
 * Which on-call notices went out, by deterministic `_id` (`handoff:<schedule>:<instant ms>`), so
 * that each is posted once across restarts and instances: whoever inserts the `_id` first posts.
 */
interface NoticeDoc {
  _id: string;
  at: Date;
  text: string;
}

export class OnCallNoticeStore {
  readonly col: Collection<NoticeDoc>;

  constructor(db: Db) {
    this.col = db.collection<NoticeDoc>('oncallnotices');
  }

  /** True when this call recorded the notice (and so must post it); false when it was recorded before. */
  async claim(id: string, at: Date, text: string): Promise<boolean> {
    try {
      await this.col.insertOne({ _id: id, at, text });
      return true;
    } catch (err) {
      if ((err as { code?: number })?.code === 11000) return false;
      throw err;
    }
  }

  /** Notices older than `before` (retention). */
  async prune(before: Date): Promise<number> {
    return (await this.col.deleteMany({ at: { $lt: before } })).deletedCount;
  }
}
