import { Types } from 'mongoose';
import type { Alert, AlertAssignee, TimelineEntry } from '../core/alert.js';
import { toAlert, type AlertStore } from './alerts.js';
import { KeyedLock } from './keyed-lock.js';
import type { Models } from './models.js';

/**
 * Round-robin state: each team's turn counter, a `counters` document addressed by `_id`
 * (`assign:<team>`, beside the short ids' `alert`), taken with one `$inc` — atomic on MongoDB, so
 * two dutybot instances never hand out the same turn. FerretDB 1.24 applies `$inc` without
 * isolation (decision 0003): turns of one team are also taken one after another in this process.
 */
export class AssignTurns {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly m: Models,
    private readonly alerts: Pick<AlertStore, 'withLock' | 'get' | 'addTimeline'>,
  ) {}

  /** The team's next turn: 0, 1, 2, … (restart-safe: the count is in the database). */
  take(team: string): Promise<number> {
    return this.lock.run(team, async () => {
      const c = await this.m.Counter.findOneAndUpdate({ _id: `assign:${team}` }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
      return (c?.seq ?? 1) - 1;
    });
  }

  /**
   * Names the assignee on the alert (its cards show it: `rev` moves) and on its timeline, once:
   * an alert that already has one keeps it. `turn` is called only then, so a repeated event does
   * not use up a turn. Null when the alert is gone, already assigned, or nobody could take the turn.
   */
  assign(alert: Alert, pick: () => Promise<Omit<AlertAssignee, 'at' | 'how'> | undefined>, at: Date): Promise<Alert | null> {
    return this.alerts.withLock(alert, async () => {
      const current = await this.alerts.get(alert.id);
      if (!current || current.assignee || current.state === 'resolved') return null;
      const who = await pick();
      if (!who) return null;
      const assignee: AlertAssignee = { ...who, at, how: 'round-robin' };
      const doc = await this.m.Alert.findOneAndUpdate(
        { _id: new Types.ObjectId(current.id) },
        { $set: { assignee }, $inc: { rev: 1 } },
        { returnDocument: 'after' },
      ).lean();
      if (!doc) return null;
      const entry: TimelineEntry = { alertId: current.id, at, kind: 'assigned', actor: { kind: 'system', name: 'dutybot', via: 'round-robin' }, text: `assigned to ${who.name} (round-robin)` };
      await this.alerts.addTimeline([entry]);
      return toAlert(doc);
    });
  }
}
