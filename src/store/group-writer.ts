import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import type { WriteGate } from './write-gate.js';

/**
 * Group commit: writes asked for while a batch is in flight go together in the next one, so 32
 * concurrent requests cost a couple of round trips instead of 32. Each caller still waits for its
 * own write to be acknowledged (durable before 2xx holds), and a failure reaches exactly the
 * callers whose writes failed.
 *
 * Why: on FerretDB/SQLite a single-document write costs about 1 ms of the server's one writer;
 * batching is what lets ingestion keep up with many senders (see bench/ and docs/decisions/0004).
 */
/**
 * At most this many update/delete statements per command. FerretDB 1.24 (SQLite) keeps each
 * statement's cursor open until the whole command ends (`defer closer.Close()` in its update loop)
 * and its pool has 100 connections: an `update` of 100 statements or more waits forever for a
 * 101st connection (measured: 99 updates by `_id` in one bulkWrite 107 ms, 100 never returned).
 * Inserts are one statement of many documents and are not limited.
 */
export const MAX_UPDATES_PER_COMMAND = 50;

export class GroupWriter<T extends Document> {
  private queue: Array<{ op: AnyBulkWriteOperation<T>; done: (err?: unknown) => void }> = [];
  private flushing = false;

  constructor(
    private readonly collection: Collection<T>,
    private readonly maxBatch = 500,
    /** Shared by the writers of one database so their batches do not collide (src/store/write-gate.ts). */
    private readonly gate?: WriteGate,
  ) {}

  insert(doc: T): Promise<void> {
    return this.write({ insertOne: { document: doc } } as AnyBulkWriteOperation<T>);
  }

  write(op: AnyBulkWriteOperation<T>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.flushing) void this.flush();
    });
  }

  /** How many queued writes go in the next command: up to `maxBatch`, with few enough updates. */
  private batchSize(): number {
    let n = 0;
    let updates = 0;
    for (; n < this.queue.length && n < this.maxBatch; n++) {
      if ('insertOne' in this.queue[n]!.op) continue;
      if (updates === MAX_UPDATES_PER_COMMAND) break;
      updates++;
    }
    return n;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        let batch: typeof this.queue = [];
        try {
          // The batch is taken when the gate lets it go, not before: writes asked for while it
          // waited for the gate go in it too (fewer, bigger batches under load).
          const write = () => {
            batch = this.queue.splice(0, this.batchSize());
            return this.collection.bulkWrite(batch.map((b) => b.op), { ordered: false });
          };
          await (this.gate ? this.gate.run(write) : write());
          for (const b of batch) b.done();
        } catch (err) {
          // An unordered bulk write reports which operations failed; the others went through.
          // Each caller hears its own operation's error (e.g. code 11000 for its duplicate key).
          const failed = new Map<number, unknown>();
          const writeErrors = (err as { writeErrors?: Array<{ index: number; code?: number; errmsg?: string }> }).writeErrors;
          if (Array.isArray(writeErrors) && writeErrors.length)
            for (const w of writeErrors) failed.set(w.index, Object.assign(new Error(w.errmsg ?? 'write failed'), { code: w.code, cause: err }));
          batch.forEach((b, i) => b.done(writeErrors?.length ? failed.get(i) : err));
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
