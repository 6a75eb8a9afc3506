import { Types } from 'mongoose';
import type { TimelineEntry } from '../core/alert.js';
import type { AlertTimelineDoc, Models } from './models.js';
import { writeGateOf, type WriteGate } from './write-gate.js';

/** `timeline()` answers at most this many entries (the first ones: how the alert began). */
export const TIMELINE_READ_LIMIT = 1000;

type StoredEntry = AlertTimelineDoc['entries'][number];

/**
 * Alert timelines, one document per alert keyed by the alert's id: reading one is a lookup by
 * `_id`, and appending is an update by `_id`, so both cost the same at any history size
 * (decision 0006). The first entries of a new alert create its document with a plain insert (an
 * upsert costs FerretDB a lookup and a transaction of its own per document; a batch of inserts is
 * one statement).
 *
 * Group commit: entries asked for while a write is in flight wait for the next one, where all the
 * entries for one alert become a single `$push` (FerretDB rewrites the whole document on each
 * update, so four appends to one alert would cost four rewrites) and all alerts go in one bulk
 * write. One write is in flight at a time, so two appends to one document never race (FerretDB's
 * read-change-write update would lose one; decision 0003). Each caller returns once its entries
 * are stored.
 */
export class Timelines {
  private pending = new Map<string, { entries: StoredEntry[]; create: boolean }>();
  private waiters: Array<{ done: (err?: unknown) => void }> = [];
  private flushing = false;
  private readonly gate: WriteGate;

  constructor(private readonly m: Models) {
    this.gate = writeGateOf(m.AlertTimeline.db);
  }

  /** `created`: the entries are the first of alerts opened just now (no timeline document yet). */
  add(entries: TimelineEntry[], opts: { created?: boolean } = {}): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    for (const e of entries) {
      const p = this.pending.get(e.alertId);
      if (p) p.entries.push(toStored(e));
      else this.pending.set(e.alertId, { entries: [toStored(e)], create: opts.created === true });
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ done: (err) => (err ? reject(err) : resolve()) });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiters.length) {
        let batch = this.pending;
        let waiters = this.waiters;
        const take = () => {
          // Taken when the gate lets the write go: what arrived while it waited goes too.
          // New documents first: an insert that finds its document there already is re-queued
          // as an append by its index (retryAsAppends).
          batch = new Map([...this.pending].sort(([, a], [, b]) => Number(b.create) - Number(a.create)));
          waiters = this.waiters;
          this.pending = new Map();
          this.waiters = [];
          return [...batch].map(([alertId, p]) => {
            const _id = new Types.ObjectId(alertId);
            return p.create
              ? { insertOne: { document: { _id, entries: p.entries } } }
              : { updateOne: { filter: { _id }, update: { $push: { entries: { $each: p.entries } } }, upsert: true } };
          });
        };
        try {
          // The gate sends every command of the batch even when one insert fails, so the appends
          // of a batch are never dropped for one create that has to go again as an append.
          await this.gate.bulkWrite(this.m.AlertTimeline.collection as never, take as never);
          for (const w of waiters) w.done();
        } catch (err) {
          if (!this.retryAsAppends(batch, waiters, err)) for (const w of waiters) w.done(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * A new alert's document can exist already when an append for it (a claim right after it opened,
   * from another process) got there first: those inserts go again as appends in the next write,
   * with their callers. Any other failure fails the batch.
   */
  private retryAsAppends(batch: Map<string, { entries: StoredEntry[]; create: boolean }>, waiters: typeof this.waiters, err: unknown): boolean {
    const writeErrors = (err as { writeErrors?: Array<{ index: number; code?: number }> }).writeErrors;
    if (!Array.isArray(writeErrors) || writeErrors.length === 0 || writeErrors.some((w) => w.code !== 11000)) return false;
    const ids = [...batch.keys()];
    const again = writeErrors.map((w) => ids[w.index]);
    if (again.some((alertId) => alertId === undefined || !batch.get(alertId)?.create)) return false;
    for (const alertId of again as string[]) {
      const later = this.pending.get(alertId);
      this.pending.set(alertId, { entries: [...batch.get(alertId)!.entries, ...(later?.entries ?? [])], create: false });
    }
    this.waiters.push(...waiters);
    return true;
  }

  async read(alertId: string): Promise<TimelineEntry[]> {
    const doc = await this.m.AlertTimeline.findById(new Types.ObjectId(alertId)).lean();
    const entries = (doc?.entries ?? []).map((e, i) => ({ e, i }));
    // Stable by time: entries written together keep their order.
    entries.sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i);
    return entries.slice(0, TIMELINE_READ_LIMIT).map(({ e }) => fromStored(alertId, e));
  }
}

export function toStored(e: TimelineEntry): StoredEntry {
  const { alertId: _a, rawEventId, ...rest } = e;
  const out: StoredEntry = { ...rest, ...(rawEventId ? { rawEventId: new Types.ObjectId(rawEventId) } : {}) };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as StoredEntry;
}

function fromStored(alertId: string, e: StoredEntry): TimelineEntry {
  const { rawEventId, ...rest } = e;
  return { ...rest, alertId, ...(rawEventId ? { rawEventId: rawEventId.toHexString() } : {}) } as TimelineEntry;
}
