import type { Collection, Db } from 'mongodb';
import { GroupWriter } from './group-writer.js';
import { BulkWriteFailure, writeGateOf, type WriteGate } from './write-gate.js';
import type { NewOutboxMessage, OutboxMessage } from '../notify/message.js';

export interface OutboxStoreOptions {
  /**
   * Add `state`/`attempts` conditions to the claim: atomic compare-and-set on MongoDB, also across
   * several dutybot processes. Off on FerretDB 1.24, where a condition gives no atomicity
   * (decision 0003) and costs a scan (decision 0004); there the sender claims each row once per
   * process (it keeps the rows it is working on in memory).
   */
  casFilters: boolean;
}

/**
 * The outbox collection (`outbox`). Rows are addressed by their `_id` (an idempotency key), so
 * inserting one twice keeps one: a step replayed after a crash never sends twice.
 *
 * `outbox` holds only rows still to do (pending, or sending under a lease). A finished row moves
 * to `outboxlog` (same `_id`), so finding due rows scans only the work in hand: on FerretDB any
 * filter but `{_id}` reads the whole collection. A replayed `_id` whose row already left
 * `outbox` is inserted again and dropped by the sender: its first attempt's unique insert into
 * `outboxstarts` fails (see docs/decisions/0009-outbox-sender.md).
 */
export class OutboxStore {
  readonly col: Collection<OutboxMessage>;
  readonly log: Collection<OutboxMessage>;
  private readonly starts: Collection<{ _id: string; at: Date }>;
  /**
   * The sender's writes go by group commit through the database's write gate, like ingestion's:
   * on FerretDB, several senders' single writes collided on SQLite's one writer (bench:outbox).
   */
  private readonly rows: GroupWriter<OutboxMessage>;
  private readonly logRows: GroupWriter<OutboxMessage>;
  private readonly startRows: GroupWriter<{ _id: string; at: Date }>;
  private readonly gate: WriteGate;
  /** A provider's short reference of a row (OutboxStore.rememberRef) → the row's `_id`. */
  private readonly refs: Collection<{ _id: string; rowId: string; at: Date }>;
  private readonly refRows: GroupWriter<{ _id: string; rowId: string; at: Date }>;

  constructor(
    db: Db,
    private readonly opts: OutboxStoreOptions = { casFilters: true },
  ) {
    this.col = db.collection<OutboxMessage>('outbox');
    this.log = db.collection<OutboxMessage>('outboxlog');
    this.starts = db.collection<{ _id: string; at: Date }>('outboxstarts');
    const gate = (this.gate = writeGateOf(db));
    this.rows = new GroupWriter(this.col, 500, gate);
    this.logRows = new GroupWriter(this.log, 500, gate);
    this.startRows = new GroupWriter(this.starts, 500, gate);
    this.refs = db.collection<{ _id: string; rowId: string; at: Date }>('outboxrefs');
    this.refRows = new GroupWriter(this.refs, 500, gate);
  }

  /**
   * Inserts the messages that are not there yet; returns how many were new. A replay of a row
   * that already finished is inserted too, and dropped by the sender before it sends (see
   * `start`): checking `outboxlog` here would cost a scan of the log per message on FerretDB.
   */
  async enqueue(msgs: NewOutboxMessage[], now: Date): Promise<number> {
    if (msgs.length === 0) return 0;
    const docs: OutboxMessage[] = msgs.map((m) => stripUndefined({ ...m, state: 'pending', dueAt: m.dueAt ?? now, createdAt: now, attempts: 0 }));
    try {
      return (await this.gate.bulkWrite(this.col, docs.map((document) => ({ insertOne: { document } })))).insertedCount;
    } catch (err) {
      // A row enqueued before (a replay) is there already: only duplicates mean success.
      if (!(err instanceof BulkWriteFailure) || !err.writeErrors.every((w) => w.code === 11000)) throw err;
      return err.insertedCount;
    }
  }

  /** Rows due now: pending ones whose time has come and sending ones whose lease ran out. */
  due(now: Date, limit: number): Promise<OutboxMessage[]> {
    return this.col.find({ dueAt: { $lte: now } }).sort({ dueAt: 1, _id: 1 }).limit(limit).toArray();
  }

  /** When the next row falls due (to sleep until then), or undefined when there is none. */
  async nextDueAt(): Promise<Date | undefined> {
    const [row] = await this.col.find({}, { projection: { dueAt: 1 } }).sort({ dueAt: 1 }).limit(1).toArray();
    return row?.dueAt;
  }

  /**
   * Takes a due row for sending: `sending`, one more attempt, a lease until `leaseUntil`. Null when
   * another sender took or finished it first. (`updateOne`, not `findOneAndUpdate`: the caller
   * already holds the row, and on FerretDB the latter costs a read and a write-back.)
   */
  async claim(row: OutboxMessage, leaseUntil: Date): Promise<OutboxMessage | null> {
    const update = { $set: { state: 'sending' as const, dueAt: leaseUntil }, $inc: { attempts: 1 } };
    if (this.opts.casFilters) {
      const r = await this.col.updateOne({ _id: row._id, state: row.state, attempts: row.attempts }, update);
      if (r.matchedCount !== 1) return null;
    } else {
      // One sender per database (FerretDB, decision 0003), which claims a row once (its in-flight
      // set): the claim is a lease for a restart, written by group commit. A row that finished
      // meanwhile is caught before sending (`start`, `isFinished`).
      await this.rows.write({ updateOne: { filter: { _id: row._id }, update } });
    }
    return { ...row, state: 'sending', dueAt: leaseUntil, attempts: row.attempts + 1 };
  }

  /**
   * Before the first attempt of a row: a unique insert of its `_id` into `outboxstarts`. It fails
   * only when a row of that `_id` started before, i.e. this row is a replay of one that already
   * went out (an escalation step run again after its message finished and left `outbox`). An
   * insert is one index probe on every server; a lookup by `_id` scans on FerretDB.
   */
  async start(row: OutboxMessage, at: Date): Promise<boolean> {
    try {
      await this.startRows.insert({ _id: row._id, at });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  /** Back to pending after a failure worth another try; `refund` gives the attempt back (a wait that was not a failure). */
  async reschedule(id: string, dueAt: Date, lastError: string, provider?: string, refund = false): Promise<void> {
    await this.rows.write({
      updateOne: {
        filter: { _id: id },
        update: { $set: { state: 'pending', dueAt, lastError, ...(provider ? { provider } : {}) }, ...(refund ? { $inc: { attempts: -1 } } : {}) },
      },
    });
  }

  /** Records the final state in `outboxlog`, then frees the row from `outbox` (in that order: a crash between leaves a row the next claim finds finished and drops). */
  async finish(row: OutboxMessage): Promise<void> {
    // Insert-only (flat cost on FerretDB, where an update scans): a repeat after a crash between
    // the two steps finds its record already there.
    try {
      await this.logRows.insert(stripUndefined(row));
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    await this.rows.write({ deleteOne: { filter: { _id: row._id } } });
  }

  /** True when a row of this `_id` already reached a final state. */
  async isFinished(id: string): Promise<boolean> {
    return (await this.log.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;
  }

  /** Drops a row from `outbox` (a replay of a finished one). */
  async discard(id: string): Promise<void> {
    await this.rows.write({ deleteOne: { filter: { _id: id } } });
  }

  /** A row wherever it is now: still to do, or finished. */
  async find(id: string): Promise<OutboxMessage | null> {
    return (await this.col.findOne({ _id: id })) ?? (await this.log.findOne({ _id: id }));
  }

  /**
   * Records that a provider's short reference (an Aliyun voice OutId, 15 bytes) stands for row
   * `rowId`, so its receipt finds the row by `_id` (any other lookup scans on FerretDB). The same
   * reference again (a retry of the row) keeps the first record.
   */
  async rememberRef(ref: string, rowId: string, at: Date): Promise<void> {
    try {
      await this.refRows.insert({ _id: ref, rowId, at });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }

  /** The row a provider's short reference stands for, wherever it is now; null when unknown. */
  async rowByRef(ref: string): Promise<OutboxMessage | null> {
    const hit = await this.refs.findOne({ _id: ref });
    return hit ? this.find(hit.rowId) : null;
  }

  /** Rows still to do (for metrics and the auditor). */
  countOpen(): Promise<number> {
    return this.col.countDocuments({});
  }

  /** Forgets finished rows older than `before` (retention). */
  async prune(before: Date): Promise<number> {
    await this.gate.deleteMatching(this.starts, { at: { $lt: before } });
    await this.gate.deleteMatching(this.refs, { at: { $lt: before } });
    return this.gate.deleteMatching(this.log, { finishedAt: { $lt: before } });
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
