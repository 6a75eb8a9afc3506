import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import { BulkWriteFailure, type WriteGate } from './write-gate.js';

/**
 * Group commit: writes asked for while a batch is in flight go together in the next one, so 32
 * concurrent requests cost a couple of round trips instead of 32. Each caller still waits for its
 * own write to be acknowledged (durable before 2xx holds), and a failure reaches exactly the
 * callers whose writes failed.
 *
 * Why: on FerretDB/SQLite a single-document write costs about 1 ms of the server's one writer;
 * batching is what lets ingestion keep up with many senders (see bench/ and docs/decisions/0004).
 * The gate cuts each batch into commands FerretDB answers (src/store/command-limits.ts).
 */
export class GroupWriter<T extends Document> {
  private queue: Array<{ op: AnyBulkWriteOperation<T>; done: (err?: unknown) => void }> = [];
  private flushing = false;

  constructor(
    private readonly collection: Collection<T>,
    private readonly maxBatch: number,
    /** Shared by the writers of one database so their batches do not collide (src/store/write-gate.ts). */
    private readonly gate: WriteGate,
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

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        let batch: typeof this.queue = [];
        try {
          // The batch is taken when the gate lets it go, not before: writes asked for while it
          // waited for the gate go in it too (fewer, bigger batches under load).
          await this.gate.bulkWrite(this.collection, () => {
            batch = this.queue.splice(0, this.maxBatch);
            return batch.map((b) => b.op);
          });
          for (const b of batch) b.done();
        } catch (err) {
          // Each caller hears its own operation's error (e.g. code 11000 for its duplicate key);
          // the others went through.
          if (!(err instanceof BulkWriteFailure)) {
            for (const b of batch) b.done(err);
            continue;
          }
          const failed = new Map(err.writeErrors.map((w) => [w.index, w.error ?? Object.assign(new Error(w.errmsg ?? 'write failed'), { code: w.code, cause: err.cause })]));
          batch.forEach((b, i) => b.done(failed.get(i)));
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
