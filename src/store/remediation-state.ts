import { Types } from 'mongoose';
import type { Alert, AlertRemediation, RemediationApproval, RemediationResult } from '../core/alert.js';
import { toAlert, type AlertStore } from './alerts.js';
import type { Models } from './models.js';

export type ApprovalOutcome =
  /** This member had already approved: nothing was written. */
  | { kind: 'already'; alert: Alert; pending: RemediationApproval }
  /** Recorded; more approvals are needed. */
  | { kind: 'waiting'; alert: Alert; pending: RemediationApproval }
  /** This approval was the last one needed: the pending entry is gone, the action may run. */
  | { kind: 'ready'; alert: Alert; approvers: RemediationApproval['by'] }
  | { kind: 'gone' };

/**
 * The `remediation` field of an alert (approvals waiting, the last run's result), which its cards
 * show. Each change is a read and a rewrite of the whole field by `_id` under the alert's lock
 * (the same lock as its transitions), so two approvals at once cannot both count as the second;
 * `rev` moves so every copy of the card is re-rendered.
 */
export class RemediationState {
  constructor(
    private readonly m: Models,
    private readonly alerts: AlertStore,
  ) {}

  /** Adds `member`'s approval of `action` (needing `needed` in all) to the alert. */
  approve(alert: Alert, action: string, needed: number, member: { memberId: string; name: string }, at: Date): Promise<ApprovalOutcome> {
    return this.alerts.withLock(alert, async () => {
      const current = await this.alerts.get(alert.id);
      if (!current) return { kind: 'gone' };
      const pending = [...(current.remediation?.pending ?? [])];
      const i = pending.findIndex((p) => p.action === action);
      const entry: RemediationApproval = i >= 0 ? { ...pending[i]!, by: [...pending[i]!.by] } : { action, needed, by: [] };
      if (entry.by.some((b) => b.memberId === member.memberId)) return { kind: 'already', alert: current, pending: entry };
      entry.by.push({ memberId: member.memberId, name: member.name, at });
      entry.needed = needed; // the config's current number wins over what was stored
      const done = entry.by.length >= needed;
      if (i >= 0) pending.splice(i, 1);
      if (!done) pending.push(entry);
      const after = await this.write(current, { ...current.remediation, pending });
      if (!after) return { kind: 'gone' };
      return done ? { kind: 'ready', alert: after, approvers: entry.by } : { kind: 'waiting', alert: after, pending: entry };
    });
  }

  /** Records a run's result as the alert's last one; returns the alert after the change. */
  recordResult(alert: Alert, result: RemediationResult): Promise<Alert | null> {
    return this.alerts.withLock(alert, async () => {
      const current = await this.alerts.get(alert.id);
      if (!current) return null;
      return this.write(current, { ...current.remediation, last: result });
    });
  }

  private async write(current: Alert, value: AlertRemediation): Promise<Alert | null> {
    const clean: AlertRemediation = {};
    if (value.pending?.length) clean.pending = value.pending;
    if (value.last) clean.last = value.last;
    const doc = await this.m.Alert.findOneAndUpdate(
      { _id: new Types.ObjectId(current.id) },
      { $set: { remediation: clean }, $inc: { rev: 1 } },
      { returnDocument: 'after' },
    ).lean();
    return doc ? toAlert(doc) : null;
  }
}
