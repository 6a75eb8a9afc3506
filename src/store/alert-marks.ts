import { Types } from 'mongoose';
import type { Alert, AlertMaintenance } from '../core/alert.js';
import type { AlertEscalation } from '../core/escalation.js';
import { toAlert } from './alerts.js';
import type { Models } from './models.js';
import { writeGateOf, type WriteGate } from './write-gate.js';

/**
 * Small marks on an alert that are not lifecycle transitions (no `version` change, no timeline of
 * their own): the source's end time, and entering or leaving maintenance. Each is one update by
 * `_id` (FerretDB: see decision 0004); `rev` moves when a card would show the change.
 */
export class AlertMarks {
  /** Marks take their turn at SQLite's one writer with the rest (a batch of resolves marks many at once). */
  private readonly gate: WriteGate;
  constructor(private readonly m: Models) {
    this.gate = writeGateOf(m.Alert.db);
  }

  async sourceEnded(alertId: string, at: Date): Promise<void> {
    await this.gate.run(() => this.m.Alert.collection.updateOne({ _id: new Types.ObjectId(alertId) }, { $set: { sourceEndedAt: at } }));
  }

  /** Sets or clears the alert's maintenance; returns the alert after the change (null if gone). */
  async maintenance(alertId: string, value: AlertMaintenance | null): Promise<Alert | null> {
    const update = value ? { $set: { maintenance: value }, $inc: { rev: 1 } } : { $unset: { maintenance: 1 }, $inc: { rev: 1 } };
    const doc = await this.gate.run(() => this.m.Alert.findOneAndUpdate({ _id: new Types.ObjectId(alertId) }, update, { returnDocument: 'after' }).lean());
    return doc ? toAlert(doc) : null;
  }

  /**
   * Holds an open alert in a maintenance window, or lets it go: the mark and the plan it runs
   * (paused while held; restarted or resumed on release) in ONE update by `_id`, so a crash never
   * leaves an alert out of its window with a plan still paused, or the other way round. The caller
   * holds the alert's lock (AlertStore.withLock) and knows the document it changes.
   */
  async setHold(alert: Alert, mark: AlertMaintenance | null, escalation: AlertEscalation | undefined): Promise<Alert> {
    const $set: Record<string, unknown> = {};
    if (mark) $set.maintenance = mark;
    if (escalation) $set.escalation = Object.fromEntries(Object.entries(escalation).filter(([, v]) => v !== undefined));
    const update: Record<string, unknown> = { $inc: { rev: 1 } };
    if (Object.keys($set).length) update.$set = $set;
    if (!mark) update.$unset = { maintenance: 1 };
    await this.gate.run(() => this.m.Alert.collection.updateOne({ _id: new Types.ObjectId(alert.id) }, update));
    const { maintenance: _m, escalation: _e, ...rest } = alert;
    return { ...rest, ...(mark ? { maintenance: mark } : {}), ...(escalation ? { escalation } : alert.escalation ? { escalation: alert.escalation } : {}), rev: alert.rev + 1 };
  }
}
