import type { Collection, Db } from 'mongodb';
import type { Matchers } from '../config/schema.js';
import type { Actor } from '../core/types.js';

/**
 * Maintenance windows: one document per one-off window (`_id` = its short id, `"3"`) and per
 * occurrence of a recurring one (`_id` = `cfg:<name>@<end ms>`). Few documents, read whole at
 * start; each change is one update by `_id` (FerretDB: decision 0004).
 */
export interface MaintenanceDoc {
  _id: string;
  kind: 'once' | 'recurring';
  /** The config name of a recurring window. */
  name?: string;
  match: Matchers;
  /** No matcher: the window silences everything (the creator wrote `all`). */
  all: boolean;
  startsAt: Date;
  endsAt: Date;
  reason?: string;
  createdBy: Actor;
  /** Teams whose channels hear of its start and end. */
  teams: string[];
  state: 'scheduled' | 'active' | 'ended';
  endedAt?: Date;
  endedBy?: Actor;
  /** Alerts that opened inside it (their `maintenance.windowId` is this `_id`). */
  alertIds: string[];
}

export class MaintenanceStore {
  private readonly c: Collection<MaintenanceDoc>;
  private readonly counters: Collection<{ _id: string; seq: number }>;
  constructor(db: Db) {
    this.c = db.collection<MaintenanceDoc>('maintenance');
    this.counters = db.collection('counters');
  }

  async nextId(): Promise<string> {
    const r = await this.counters.findOneAndUpdate({ _id: 'maintenance' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
    return String(r!.seq);
  }

  /** Windows not yet ended (scheduled or active). */
  async open(): Promise<MaintenanceDoc[]> {
    return this.c.find({ state: { $ne: 'ended' } }).limit(10_000).toArray();
  }

  async recent(limit: number): Promise<MaintenanceDoc[]> {
    return this.c.find({}).sort({ startsAt: -1 }).limit(limit).toArray();
  }

  async get(id: string): Promise<MaintenanceDoc | null> {
    return this.c.findOne({ _id: id });
  }

  /** Inserts; false when a document with this `_id` exists (another process or a repeat). */
  async insert(doc: MaintenanceDoc): Promise<boolean> {
    try {
      await this.c.insertOne(doc);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  async set(id: string, set: Partial<Omit<MaintenanceDoc, '_id'>>): Promise<void> {
    await this.c.updateOne({ _id: id }, { $set: set });
  }

  async addAlert(id: string, alertId: string): Promise<void> {
    await this.c.updateOne({ _id: id }, { $addToSet: { alertIds: alertId } });
  }
}
