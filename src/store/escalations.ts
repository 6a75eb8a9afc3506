import { Types } from 'mongoose';
import type { Alert, TimelineEntry } from '../core/alert.js';
import type { AlertEscalation } from '../core/escalation.js';
import { toAlert, type AlertStore } from './alerts.js';
import type { Models } from './models.js';

/**
 * Reads and writes of `alert.escalation`, by `_id`, always inside the alert's lock (AlertStore
 * serialises every write to one alert: FerretDB 1.24 gives concurrent updates no isolation).
 */
export class EscalationStore {
  constructor(
    private readonly m: Models,
    readonly alerts: AlertStore,
  ) {}

  async get(id: string): Promise<Alert | null> {
    return this.alerts.get(id);
  }

  /**
   * Stores the plan (and what a fired level changed on the card: level number, teams brought in,
   * mentions). `rev` rises when the card must be re-rendered.
   */
  async save(
    id: string,
    escalation: AlertEscalation,
    change: { level?: number; addTeams?: string[]; visible?: boolean } = {},
  ): Promise<Alert | null> {
    const $set: Record<string, unknown> = { escalation: stripUndefined(escalation) };
    if (change.level !== undefined) $set.escalationLevel = change.level;
    const update: Record<string, unknown> = { $set };
    if (change.visible) update.$inc = { rev: 1, version: 1 };
    if (change.addTeams?.length) update.$addToSet = { escalatedTeams: { $each: change.addTeams } };
    const doc = await this.m.Alert.findOneAndUpdate({ _id: new Types.ObjectId(id) }, update, { returnDocument: 'after' }).lean();
    return doc ? toAlert(doc) : null;
  }

  async addTimeline(entry: TimelineEntry): Promise<void> {
    await this.alerts.addTimeline([entry]);
  }

  /** Open alerts still triggered (start-up recovery and the auditor; a scan, run rarely). */
  async triggered(limit = 20_000): Promise<Alert[]> {
    const docs = await this.m.Alert.find({ state: 'triggered' }).limit(limit).lean();
    return docs.map(toAlert);
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
