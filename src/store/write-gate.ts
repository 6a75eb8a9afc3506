import type { AnyBulkWriteOperation, Collection, Document, Filter } from 'mongodb';
import { splitCommands } from './command-limits.js';

/** One operation of a bulk write that failed; `index` is its place in the ops the caller gave. */
export interface OpError {
  index: number;
  code?: number;
  errmsg?: string;
  /** The error of the command that failed as a whole (its name tells an outage from a bug). */
  error?: unknown;
}

/**
 * A bulk write through the gate in which some operations failed; the others are stored. Shaped
 * like the driver's MongoBulkWriteError (`writeErrors`, `code` of the first), so callers read
 * one kind of error whether their write went as one command or several.
 */
export class BulkWriteFailure extends Error {
  readonly code?: number;
  constructor(
    readonly writeErrors: OpError[],
    /** Operations stored, by kind (the driver's counts summed over the commands). */
    readonly insertedCount: number,
    cause: unknown,
  ) {
    super(writeErrors[0]?.errmsg ?? 'bulk write failed', { cause });
    this.code = writeErrors[0]?.code;
  }
}

export interface BulkWriteCounts {
  insertedCount: number;
  matchedCount: number;
  modifiedCount: number;
  upsertedCount: number;
  deletedCount: number;
}

/**
 * Lets one write at a time go to the database from this process, across collections, and is the
 * one way dutybot sends a multi-operation write (`bulkWrite`), which it cuts into commands that
 * FerretDB 1.24 answers (src/store/command-limits.ts, decision 0018).
 *
 * Why one at a time: SQLite (under FerretDB) has one writer per database file. Concurrent writes
 * to different collections do not run in parallel there; they collide on its lock, and the
 * losers sleep in SQLite's busy handler (milliseconds each, idle CPU). Measured with 32 senders
 * writing to five collections through group writers: 608 → 959 five-write sequences/s with the
 * gate (bench/). Writes waiting here keep gathering into their group writer's next batch, so the
 * gate costs a queue, not throughput; on MongoDB it is a small latency price for one code path.
 */
export class WriteGate {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(write: () => Promise<T>): Promise<T> {
    const result = this.tail.then(write, write);
    this.tail = result.catch(() => {});
    return result;
  }

  /**
   * Writes `ops` (or what `take` answers when the gate lets the write go: group writers take
   * their batch then, so that writes asked for while they waited go too) as unordered bulk
   * writes of at most COMMAND_LIMITS each, one after another in one turn of the gate.
   * A per-document failure (a duplicate key) fails that operation only; a command that fails as
   * a whole (connection lost, timeout) fails its operations and those not yet sent, since the
   * next command would wait out the same fault. Throws BulkWriteFailure naming every failed index.
   */
  bulkWrite<T extends Document>(col: Collection<T>, take: readonly AnyBulkWriteOperation<T>[] | (() => readonly AnyBulkWriteOperation<T>[])): Promise<BulkWriteCounts> {
    return this.run(async () => {
      const ops = typeof take === 'function' ? take() : take;
      const counts: BulkWriteCounts = { insertedCount: 0, matchedCount: 0, modifiedCount: 0, upsertedCount: 0, deletedCount: 0 };
      const failed: OpError[] = [];
      let cause: unknown;
      /** A command that failed as a whole: the rest would wait out the same fault. */
      let whole: unknown;
      for (const chunk of splitCommands(ops)) {
        const failAll = (err: unknown) => failed.push(...chunk.ops.map((_, i) => ({ index: chunk.start + i, ...codeOf(err), error: err })));
        if (whole !== undefined) {
          failAll(whole);
          continue;
        }
        try {
          add(counts, await col.bulkWrite(chunk.ops, { ordered: false }));
        } catch (err) {
          cause ??= err;
          const writeErrors = writeErrorsOf(err);
          if (writeErrors) {
            failed.push(...writeErrors.map((w) => ({ index: chunk.start + w.index, code: w.code, errmsg: w.errmsg })));
            const partial = (err as { result?: Partial<BulkWriteCounts> }).result;
            if (partial) add(counts, partial);
          } else {
            whole = err;
            failAll(err);
          }
        }
      }
      // The cause is the outage when there was one, so that the caller's answer is a 503, not a 500.
      if (failed.length) throw new BulkWriteFailure(failed, counts.insertedCount, whole ?? cause);
      return counts;
    });
  }

  /**
   * Deletes every document `filter` matches, as deletes by `_id` (`deleteIds`). The one way
   * dutybot deletes by a filter: FerretDB 1.24 deletes whatever a filter matched with one SQL
   * statement naming each `_id`, and past SQLite's 32,766 variables that statement fails and
   * deletes nothing ("too many SQL variables"), so a retention job would fail every hour while
   * its collection grows. Deletes by `_id` reach SQLite's primary key; a `$in` over ids would
   * scan the collection once per slice instead (50,000 documents: 12.8 s against 83 s; decision 0025).
   */
  async deleteMatching<T extends Document>(col: Collection<T>, filter: Filter<T>): Promise<number> {
    const ids = (await col.find(filter, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    return this.deleteIds(col, ids);
  }

  /**
   * Deletes these documents by `_id`, DELETE_SLICE per turn of the gate, so that ingestion's
   * writes go between the slices of a long retention run rather than wait for all of it.
   */
  async deleteIds<T extends Document>(col: Collection<T>, ids: readonly unknown[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < ids.length; i += DELETE_SLICE) {
      const ops = ids.slice(i, i + DELETE_SLICE).map((_id) => ({ deleteOne: { filter: { _id } as Filter<T> } }));
      deleted += (await this.bulkWrite(col, ops)).deletedCount;
    }
    return deleted;
  }
}

function writeErrorsOf(err: unknown): Array<{ index: number; code?: number; errmsg?: string }> | undefined {
  const w = (err as { writeErrors?: unknown }).writeErrors;
  if (Array.isArray(w) && w.length) return w as Array<{ index: number; code?: number; errmsg?: string }>;
  // Some driver versions give a single write error as an object.
  if (w && typeof w === 'object' && 'index' in w) return [w as { index: number; code?: number; errmsg?: string }];
  return undefined;
}

function codeOf(err: unknown): { code?: number; errmsg: string } {
  const e = err as { code?: number; message?: string };
  return { ...(typeof e.code === 'number' ? { code: e.code } : {}), errmsg: e.message ?? String(err) };
}

function add(into: BulkWriteCounts, r: Partial<BulkWriteCounts>): void {
  for (const k of Object.keys(into) as Array<keyof BulkWriteCounts>) into[k] += r[k] ?? 0;
}

/** About 250 ms of deletes on FerretDB: short enough for an ingest request to wait behind. */
const DELETE_SLICE = 1000;

const gates = new WeakMap<object, WriteGate>();

/**
 * The gate of one connection pool: every store on it shares it, whether it holds the mongoose
 * Connection, the driver's Db or the MongoClient (all three lead to the one client).
 */
export function writeGateOf(pool: object): WriteGate {
  const key = clientOf(pool);
  let gate = gates.get(key);
  if (!gate) gates.set(key, (gate = new WriteGate()));
  return gate;
}

function clientOf(pool: object): object {
  const p = pool as { getClient?: () => object | undefined; client?: object };
  if (typeof p.getClient === 'function') return p.getClient() ?? pool;
  if (p.client && typeof p.client === 'object') return p.client;
  return pool;
}
