import type { AckDeadline, AlertEscalation } from './escalation.js';
import { startEscalation } from './escalation.js';
import type { Owner } from './types.js';

/**
 * The acknowledgement timeout, pure. A policy with `ackTimeout` gives every claim a deadline
 * (`alert.escalation.ack`); when it passes and the alert is still acknowledged, the alert returns
 * to triggered and its escalation starts again from level 1 (a new run token, levels timed from
 * then). The claim is identified by its owner's `at` (a claim and a reassign both set it), so a
 * wake-up for an older claim is stale. `snooze` lets the owner push the deadline out, up to the
 * policy's `snoozeMax` from now.
 */

type AlertView = { state: string; owner?: Owner; maintenance?: unknown };

/** The key of the claim an alert is under now, or null when it is not claimed. */
export function claimKey(alert: AlertView): string | null {
  return alert.state === 'acknowledged' && alert.owner ? alert.owner.at.toISOString() : null;
}

/** The plan after a claim (or reassign): a deadline when the policy has an ack timeout, else none. */
export function armAckTimeout(esc: AlertEscalation, alert: AlertView): AlertEscalation {
  const { ack: _old, ...rest } = esc;
  const key = claimKey(alert);
  const ms = esc.policy.ackTimeoutMs;
  if (!key || !ms || !alert.owner) return rest;
  const claimedAt = alert.owner.at;
  const ack: AckDeadline = { key, dueAt: new Date(claimedAt.getTime() + ms), ownerName: alert.owner.name, claimedAt };
  if (alert.owner.memberId) ack.ownerId = alert.owner.memberId;
  return { ...rest, ack };
}

/** What a wake-up for claim `key` should do now. */
export function ackOutcome(esc: AlertEscalation | undefined, alert: AlertView, now: Date, key: string): 'fire' | 'early' | 'stale' {
  if (!esc?.ack || esc.ack.key !== key || claimKey(alert) !== key) return 'stale';
  // Paused (mute, maintenance): the resume arms a new wake-up with the time that was left.
  if (esc.ack.pausedRemainingMs !== undefined || alert.maintenance) return 'stale';
  return esc.ack.dueAt.getTime() > now.getTime() ? 'early' : 'fire';
}

/** The timeline's and the card's reason: "no resolution within 30 min of 张三's claim". */
export function ackTimeoutReason(ack: AckDeadline, now: Date): string {
  return `no resolution within ${minutesSinceClaim(ack, now)} min of ${ack.ownerName}'s claim`;
}

export function minutesSinceClaim(ack: AckDeadline, now: Date): number {
  return Math.max(1, Math.round((now.getTime() - ack.claimedAt.getTime()) / 60_000));
}

/** The new run after the timeout: level 1 timed from now, the previous owner @-mentioned. */
export function restartAfterAckTimeout(esc: AlertEscalation, now: Date, token: string, reason: string): AlertEscalation {
  const fresh = startEscalation(esc.policy, now, token);
  const mentions = esc.ack?.ownerId ? [esc.ack.ownerId] : [];
  const timedOut = esc.ack ? { timedOutClaim: { ownerName: esc.ack.ownerName, minutes: minutesSinceClaim(esc.ack, now) } } : {};
  return { ...fresh, mentions, restartedBecause: reason, ...timedOut };
}

export type SnoozeRefusal = 'no-ack-timeout' | 'not-owner' | 'too-long' | 'not-claimed';
export type SnoozeDecision = { ok: true; escalation: AlertEscalation; dueAt: Date } | { ok: false; code: SnoozeRefusal; maxMs?: number };

/** Only the current owner may snooze; the new deadline is now + duration, at most `snoozeMax` away. */
export function decideSnooze(
  esc: AlertEscalation | undefined,
  alert: AlertView,
  who: { memberId?: string },
  durationMs: number,
  now: Date,
): SnoozeDecision {
  if (alert.state !== 'acknowledged' || !alert.owner) return { ok: false, code: 'not-claimed' };
  if (!esc?.ack || !esc.policy.ackTimeoutMs) return { ok: false, code: 'no-ack-timeout' };
  if (!who.memberId || who.memberId !== alert.owner.memberId) return { ok: false, code: 'not-owner' };
  const maxMs = esc.policy.snoozeMaxMs ?? DEFAULT_SNOOZE_MAX_MS;
  if (!(durationMs > 0) || durationMs > maxMs) return { ok: false, code: 'too-long', maxMs };
  const dueAt = new Date(now.getTime() + durationMs);
  // A paused deadline stays paused, with the snoozed duration as what is left when it resumes.
  const paused = esc.ack.pausedRemainingMs !== undefined ? { pausedRemainingMs: durationMs } : {};
  return { ok: true, dueAt, escalation: { ...esc, ack: { ...esc.ack, dueAt, ...paused } } };
}

/** A mute (or a maintenance window) began: the ack deadline keeps what was left of it. */
export function pauseAck(esc: AlertEscalation, now: Date): AlertEscalation {
  if (!esc.ack || esc.ack.pausedRemainingMs !== undefined) return esc;
  return { ...esc, ack: { ...esc.ack, pausedRemainingMs: Math.max(0, esc.ack.dueAt.getTime() - now.getTime()) } };
}

/** The pause ended: the deadline is now + what was left. */
export function resumeAck(esc: AlertEscalation, now: Date): AlertEscalation {
  if (!esc.ack || esc.ack.pausedRemainingMs === undefined) return esc;
  const { pausedRemainingMs, ...ack } = esc.ack;
  return { ...esc, ack: { ...ack, dueAt: new Date(now.getTime() + pausedRemainingMs) } };
}

export const DEFAULT_SNOOZE_MAX_MS = 4 * 3_600_000;
