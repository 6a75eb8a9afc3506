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
  /** Alerts already open when it began and held by it (escalation and ack timeout paused). */
  heldIds?: string[];
  /** When the open alerts matching it were looked for and held (a restart before that looks again). */
  capturedAt?: Date;
  /** Ended, but its alerts are not all released yet (a restart finishes the release). */
  releasing?: boolean;
  /** What the end summary counted. */
  summary?: WindowSummary;
  /** The audit trail: every change, who, when, what (documents from before it have none). */
  history?: MaintenanceChange[];
}

export interface WindowSummary {
  fired: number;
  held: number;
  resolved: number;
  stillFiring: number;
}

/**
 * One line of a window's audit trail. Kept on the window's own document (pushed in the same
 * update as the change it records), so the trail can never miss a change that happened, and
 * reading one window's history is one read by `_id`.
 */
export interface MaintenanceChange {
  at: Date;
  action: 'created' | 'started' | 'ended';
  by: Actor;
  match: Matchers;
  all: boolean;
  startsAt: Date;
  endsAt: Date;
  reason?: string;
  /** `early` (ended by someone before its end), `on time`, `config` (a recurring occurrence)… */
  note?: string;
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

  /** Windows not yet ended (scheduled or active), and ended ones whose release a restart cut short. */
  async open(): Promise<MaintenanceDoc[]> {
    return this.c.find({ $or: [{ state: { $ne: 'ended' } }, { releasing: true }] }).limit(10_000).toArray();
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

  /** A change and its line on the audit trail, in one update. */
  async change(id: string, set: Partial<Omit<MaintenanceDoc, '_id'>>, entry: MaintenanceChange): Promise<void> {
    await this.c.updateOne({ _id: id }, { $set: set, $push: { history: entry } });
  }

  async addHeld(id: string, alertId: string): Promise<void> {
    await this.c.updateOne({ _id: id }, { $addToSet: { heldIds: alertId } });
  }

  async addAlert(id: string, alertId: string): Promise<void> {
    await this.c.updateOne({ _id: id }, { $addToSet: { alertIds: alertId } });
  }
}
