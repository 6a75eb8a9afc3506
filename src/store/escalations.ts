import { Types } from 'mongoose';
import type { Alert, TimelineEntry } from '../core/alert.js';
import type { AlertEscalation } from '../core/escalation.js';
import { toAlert, type AlertStore } from './alerts.js';
import { GroupWriter } from './group-writer.js';
import type { AlertDoc, Models } from './models.js';
import { writeGateOf } from './write-gate.js';

/**
 * Reads and writes of `alert.escalation`, by `_id`, always inside the alert's lock (AlertStore
 * serialises every write to one alert: FerretDB 1.24 gives concurrent updates no isolation).
 */
export interface EscalationChange {
  level?: number;
  addTeams?: string[];
  visible?: boolean;
}

export class EscalationStore {
  /** Plans saved by concurrent steps go to the database together (group commit, shared write gate). */
  private readonly writer: GroupWriter<AlertDoc>;

  constructor(
    private readonly m: Models,
    readonly alerts: AlertStore,
  ) {
    this.writer = new GroupWriter(m.Alert.collection as never, 500, writeGateOf(m.Alert.db));
  }

  async get(id: string): Promise<Alert | null> {
    return this.alerts.get(id);
  }

  /** Several alerts at once (AlertStore.getMany: by `_id` when few, one `$in` when many). */
  async many(ids: string[]): Promise<Alert[]> {
    return this.alerts.getMany(ids);
  }

  async save(alert: Alert, escalation: AlertEscalation, change: EscalationChange = {}): Promise<Alert> {
    return (await this.saveMany([{ alert, escalation, change }]))[0]!;
  }

  /**
   * Stores plans (and what a fired level changed on the card: level number, teams brought in) with
   * group commit: updates by `_id` in a few bulk commands; `rev` rises when the card must be
   * re-rendered. updateOne, not findOneAndUpdate: on FerretDB 1.24 findAndModify costs ~100 ms,
   * an update by `_id` inside a bulk command ~1 ms; the caller holds each alert's lock, so the new
   * documents are known without reading them back.
   */
  async saveMany(items: Array<{ alert: Alert; escalation: AlertEscalation; change?: EscalationChange }>): Promise<Alert[]> {
    const ops: Array<{ updateOne: { filter: { _id: Types.ObjectId }; update: Record<string, unknown> } }> = [];
    const out = items.map(({ alert, escalation, change = {} }) => {
      const esc = stripUndefined(escalation);
      const $set: Record<string, unknown> = { escalation: esc };
      const after: Alert = { ...alert, escalation: esc };
      if (change.level !== undefined) $set.escalationLevel = after.escalationLevel = change.level;
      const update: Record<string, unknown> = { $set };
      if (change.visible) {
        update.$inc = { rev: 1, version: 1 };
        after.rev = alert.rev + 1;
        after.version = alert.version + 1;
      }
      if (change.addTeams?.length) {
        update.$addToSet = { escalatedTeams: { $each: change.addTeams } };
        after.escalatedTeams = [...new Set([...(alert.escalatedTeams ?? []), ...change.addTeams])];
      }
      ops.push({ updateOne: { filter: { _id: new Types.ObjectId(alert.id) }, update } });
      return after;
    });
    await Promise.all(ops.map((o) => this.writer.write(o as never)));
    return out;
  }

  async addTimeline(entries: TimelineEntry[]): Promise<void> {
    await this.alerts.addTimeline(entries);
  }

  /** Claimed alerts (start-up recovery of ack timeouts; a scan, run rarely). */
  async acknowledged(limit = 20_000): Promise<Alert[]> {
    const docs = await this.m.Alert.find({ state: 'acknowledged' }).limit(limit).lean();
    return docs.map(toAlert);
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
