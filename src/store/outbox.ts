import type { Collection, Db } from 'mongodb';
import type { NewOutboxMessage, OutboxMessage } from '../notify/message.js';

/**
 * The outbox collection (`outbox`). Rows are addressed by their `_id` (an idempotency key), so
 * inserting one twice keeps one: a step replayed after a crash never sends twice.
 */
export class OutboxStore {
  readonly col: Collection<OutboxMessage>;

  constructor(db: Db) {
    this.col = db.collection<OutboxMessage>('outbox');
  }

  /** Inserts the messages that are not there yet; returns how many were new. */
  async enqueue(msgs: NewOutboxMessage[], now: Date): Promise<number> {
    if (msgs.length === 0) return 0;
    const docs: OutboxMessage[] = msgs.map((m) => ({ ...m, state: 'pending', dueAt: m.dueAt ?? now, createdAt: now, attempts: 0 }));
    try {
      const r = await this.col.insertMany(docs, { ordered: false });
      return r.insertedCount;
    } catch (err) {
      const e = err as { code?: number; insertedCount?: number; writeErrors?: Array<{ code?: number }> | { code?: number } };
      const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
      const onlyDuplicates = writeErrors.length > 0 ? writeErrors.every((w) => w.code === 11000) : e.code === 11000;
      if (!onlyDuplicates) throw err;
      return e.insertedCount ?? docs.length - writeErrors.length;
    }
  }
}
