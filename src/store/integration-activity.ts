import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import { writeGateOf, type WriteGate } from './write-gate.js';

/**
 * What each integration received, for the console's integrations page: events accepted and
 * requests rejected (with the last reason), and when. One document per integration
 * (`integrationactivity`, `_id` = its name), so reads and writes are by `_id` and the collection
 * holds as many documents as the config has integrations.
 *
 * Counted in memory and written every few seconds as `$inc`/`$max`, never on the ingestion path: a
 * storm of thousands of requests a second costs one update per integration per flush. A crash
 * loses at most the last interval's counts (the alerts themselves are stored before the 2xx).
 */
export interface IntegrationActivityDoc {
  _id: string;
  accepted: number;
  rejected: number;
  lastAcceptedAt?: Date;
  lastRejectedAt?: Date;
  /** The error answered to the last rejected request (its first 300 characters). */
  lastRejection?: string;
}

export type IntegrationActivityRow = Omit<IntegrationActivityDoc, '_id'>;

interface Pending {
  accepted: number;
  rejected: number;
  lastAcceptedAt?: Date;
  lastRejectedAt?: Date;
  lastRejection?: string;
}

export class IntegrationActivity {
  private readonly col: Collection<IntegrationActivityDoc>;
  private readonly gate: WriteGate;
  private pending = new Map<string, Pending>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(db: Db) {
    this.col = db.collection<IntegrationActivityDoc>('integrationactivity');
    this.gate = writeGateOf(db);
  }

  /** Writes what was counted every `everyMs` (not in tests that flush by hand). */
  start(everyMs = 5_000): void {
    this.timer = setInterval(() => void this.flush().catch(() => {}), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush().catch(() => {});
  }

  accepted(integration: string, events: number, at: Date): void {
    const p = this.entry(integration);
    p.accepted += events;
    if (!p.lastAcceptedAt || at > p.lastAcceptedAt) p.lastAcceptedAt = at;
  }

  rejected(integration: string, error: string, at: Date): void {
    const p = this.entry(integration);
    p.rejected++;
    if (!p.lastRejectedAt || at >= p.lastRejectedAt) {
      p.lastRejectedAt = at;
      p.lastRejection = error.slice(0, 300);
    }
  }

  /** Stored counts plus those not yet written, by integration name. */
  async all(names: readonly string[]): Promise<Map<string, IntegrationActivityRow>> {
    const stored = names.length ? await this.col.find({ _id: { $in: [...names] } }).toArray() : [];
    const out = new Map<string, IntegrationActivityRow>();
    for (const name of names) {
      const s = stored.find((d) => d._id === name);
      const p = this.pending.get(name);
      out.set(name, merge(s, p));
    }
    return out;
  }

  /** Writes the counts gathered since the last flush; on failure they are kept for the next one. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (!this.pending.size) return;
    const batch = this.pending;
    this.pending = new Map();
    const ops: AnyBulkWriteOperation<IntegrationActivityDoc>[] = [...batch].map(([name, p]) => ({
      updateOne: {
        filter: { _id: name },
        update: {
          $inc: { accepted: p.accepted, rejected: p.rejected },
          ...(p.lastAcceptedAt || p.lastRejectedAt
            ? { $max: { ...(p.lastAcceptedAt ? { lastAcceptedAt: p.lastAcceptedAt } : {}), ...(p.lastRejectedAt ? { lastRejectedAt: p.lastRejectedAt } : {}) } }
            : {}),
          ...(p.lastRejection ? { $set: { lastRejection: p.lastRejection } } : {}),
        },
        upsert: true,
      },
    }));
    try {
      await this.gate.bulkWrite(this.col, ops);
    } catch (err) {
      for (const [name, p] of batch) this.pending.set(name, merge(p, this.pending.get(name)) as Pending);
      throw err;
    }
  }

  private entry(name: string): Pending {
    let p = this.pending.get(name);
    if (!p) this.pending.set(name, (p = { accepted: 0, rejected: 0 }));
    return p;
  }
}

function merge(a: Partial<IntegrationActivityRow> | undefined, b: Partial<IntegrationActivityRow> | undefined): IntegrationActivityRow {
  const later = (x?: Date, y?: Date) => (!x ? y : !y ? x : x > y ? x : y);
  const lastRejectedAt = later(a?.lastRejectedAt, b?.lastRejectedAt);
  const lastRejection = lastRejectedAt && lastRejectedAt === b?.lastRejectedAt ? b?.lastRejection : (a?.lastRejection ?? b?.lastRejection);
  const lastAcceptedAt = later(a?.lastAcceptedAt, b?.lastAcceptedAt);
  return {
    accepted: (a?.accepted ?? 0) + (b?.accepted ?? 0),
    rejected: (a?.rejected ?? 0) + (b?.rejected ?? 0),
    ...(lastAcceptedAt ? { lastAcceptedAt } : {}),
    ...(lastRejectedAt ? { lastRejectedAt } : {}),
    ...(lastRejection ? { lastRejection } : {}),
  };
}
