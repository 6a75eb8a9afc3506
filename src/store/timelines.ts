import { Types } from 'mongoose';
import type { TimelineEntry } from '../core/alert.js';
import type { AlertTimelineDoc, Models } from './models.js';
import { MAX_UPDATES_PER_COMMAND } from './group-writer.js';
import { writeGateOf, type WriteGate } from './write-gate.js';

/** `timeline()` answers at most this many entries (the first ones: how the alert began). */
export const TIMELINE_READ_LIMIT = 1000;

type StoredEntry = AlertTimelineDoc['entries'][number];

/**
 * Alert timelines, one document per alert keyed by the alert's id: reading one is a lookup by
 * `_id`, and appending is an update by `_id`, so both cost the same at any history size
 * (decision 0006).
 *
 * Group commit: entries asked for while a write is in flight wait for the next one, where all the
 * entries for one alert become a single `$push` (FerretDB rewrites the whole document on each
 * update, so four appends to one alert would cost four rewrites) and all alerts go in one bulk
 * write. One write is in flight at a time, so two appends to one document never race (FerretDB's
 * read-change-write update would lose one; decision 0003). Each caller returns once its entries
 * are stored.
 */
export class Timelines {
  private pending = new Map<string, StoredEntry[]>();
  private waiters: Array<{ done: (err?: unknown) => void }> = [];
  private flushing = false;
  private readonly gate: WriteGate;

  constructor(private readonly m: Models) {
    this.gate = writeGateOf(m.AlertTimeline.db);
  }

  add(entries: TimelineEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    for (const e of entries) {
      const list = this.pending.get(e.alertId) ?? [];
      list.push(toStored(e));
      this.pending.set(e.alertId, list);
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
        const batch = this.pending;
        const waiters = this.waiters;
        this.pending = new Map();
        this.waiters = [];
        const ops = [...batch].map(([alertId, list]) => ({
          updateOne: { filter: { _id: new Types.ObjectId(alertId) }, update: { $push: { entries: { $each: list } } }, upsert: true },
        }));
        try {
          // In commands of a few dozen updates: FerretDB 1.24 never answers one of 100 (group-writer.ts).
          for (let i = 0; i < ops.length; i += MAX_UPDATES_PER_COMMAND) {
            const chunk = ops.slice(i, i + MAX_UPDATES_PER_COMMAND);
            await this.gate.run(() => this.m.AlertTimeline.collection.bulkWrite(chunk as never, { ordered: false }));
          }
          for (const w of waiters) w.done();
        } catch (err) {
          for (const w of waiters) w.done(err);
        }
      }
    } finally {
      this.flushing = false;
    }
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
