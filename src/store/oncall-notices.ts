import { writeGateOf, type WriteGate } from './write-gate.js';
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
  private readonly gate: WriteGate;

  constructor(db: Db) {
    this.col = db.collection<NoticeDoc>('oncallnotices');
    this.gate = writeGateOf(db);
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
    return this.gate.deleteMatching(this.col, { at: { $lt: before } });
  }
}
