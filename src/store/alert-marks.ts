import { Types } from 'mongoose';
import type { Alert, AlertMaintenance } from '../core/alert.js';
import { toAlert } from './alerts.js';
import type { Models } from './models.js';

/**
 * Small marks on an alert that are not lifecycle transitions (no `version` change, no timeline of
 * their own): the source's end time, and entering or leaving maintenance. Each is one update by
 * `_id` (FerretDB: see decision 0004); `rev` moves when a card would show the change.
 */
export class AlertMarks {
  constructor(private readonly m: Models) {}

  async sourceEnded(alertId: string, at: Date): Promise<void> {
    await this.m.Alert.updateOne({ _id: new Types.ObjectId(alertId) }, { $set: { sourceEndedAt: at } });
  }

  /** Sets or clears the alert's maintenance; returns the alert after the change (null if gone). */
  async maintenance(alertId: string, value: AlertMaintenance | null): Promise<Alert | null> {
    const update = value ? { $set: { maintenance: value }, $inc: { rev: 1 } } : { $unset: { maintenance: 1 }, $inc: { rev: 1 } };
    const doc = await this.m.Alert.findOneAndUpdate({ _id: new Types.ObjectId(alertId) }, update, { returnDocument: 'after' }).lean();
    return doc ? toAlert(doc) : null;
  }
}
