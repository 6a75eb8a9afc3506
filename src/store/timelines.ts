import { Types } from 'mongoose';
import type { TimelineEntry } from '../core/alert.js';
import { GroupWriter } from './group-writer.js';
import type { AlertTimelineDoc, Models } from './models.js';
import { writeGateOf } from './write-gate.js';

/** `timeline()` answers at most this many entries (the first ones: how the alert began). */
export const TIMELINE_READ_LIMIT = 1000;

type StoredEntry = AlertTimelineDoc['entries'][number];

/**
 * Alert timelines, one document per alert keyed by the alert's id: reading one is a lookup by
 * `_id`, and appending is an update by `_id`, so both cost the same at any history size
 * (decision 0006).
 *
 * Appends go through one group writer: entries for several alerts asked for together become one
 * bulk write, and only one batch is in flight at a time, so two appends to the same document never
 * race (FerretDB's read-change-write update would lose one; decision 0003).
 */
export class Timelines {
  private readonly writer: GroupWriter<AlertTimelineDoc>;

  constructor(private readonly m: Models) {
    this.writer = new GroupWriter(m.AlertTimeline.collection as never, 500, writeGateOf(m.AlertTimeline.db));
  }

  async add(entries: TimelineEntry[]): Promise<void> {
    const byAlert = new Map<string, StoredEntry[]>();
    for (const e of entries) {
      const list = byAlert.get(e.alertId) ?? [];
      list.push(toStored(e));
      byAlert.set(e.alertId, list);
    }
    await Promise.all(
      [...byAlert].map(([alertId, list]) =>
        this.writer.write({
          updateOne: {
            filter: { _id: new Types.ObjectId(alertId) },
            update: { $push: { entries: { $each: list } } },
            upsert: true,
          },
        } as never),
      ),
    );
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
