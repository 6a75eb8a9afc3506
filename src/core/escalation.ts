import type { EscalationPolicy, EscalationTarget } from '../config/schema.js';
import { parseConfigDuration } from './duration.js';

/**
 * The escalation plan of one alert, pure: no I/O, no clock (`now` comes in).
 *
 * The policy is copied onto the alert when it opens (`alert.escalation`), so later edits of the
 * config do not change alerts already escalating. Level `i` of the first cycle fires `after_i`
 * after the alert opened; each following level keeps the spacing of the `after`s. After the last
 * level, the whole policy runs again (up to `repeat` more cycles), starting one "last gap" (the
 * time between the last two levels; the only level's `after` for a one-level policy; 5 minutes
 * when that is 0) after the last level was due. Due times are counted from due times, not from
 * when a step really ran, so a late step does not push the rest of the plan back.
 *
 * Stops: anything but `triggered` (claimed, reassigned, resolved) fires nothing. Mute pauses: the
 * time left to the next step is kept and counted again from the unmute (a 3-minute mute in the
 * middle of a 5-minute wait makes it 8 minutes, not 5: see docs/decisions/0008). A manual
 * `escalate` makes the next level due now.
 */
export interface EscalationLevelSnapshot {
  afterMs: number;
  notify: EscalationTarget[];
}

export interface EscalationSnapshot {
  policyId: string;
  name?: string;
  levels: EscalationLevelSnapshot[];
  repeat: number;
  /** A claim not resolved within this returns the alert to triggered (src/core/ack-timeout.ts). */
  ackTimeoutMs?: number;
  /** How far `snooze` may push the ack deadline out from now. */
  snoozeMaxMs?: number;
}

export interface AlertEscalation {
  policy: EscalationSnapshot;
  /** A new token per run: a job of an earlier run never matches. */
  token: string;
  /** The cycle (1-based) of the next step. */
  cycle: number;
  /** The next level to fire (1-based). */
  level: number;
  /** When the next level is due; absent when stopped, paused or done. */
  nextAt?: Date;
  /** The last level that fired and when (for the card: "level 2 of 3"). */
  firedLevel?: number;
  firedAt?: Date;
  /** While muted: what was left of the wait when the mute began. */
  pausedRemainingMs?: number;
  /** Every level of every cycle has fired. */
  done?: boolean;
  /** Members the card @-mentions because a level said `mention` (ids). */
  mentions?: string[];
  /** While claimed under a policy with an ack timeout: when the claim runs out (src/core/ack-timeout.ts). */
  ack?: AckDeadline;
  /** Why this run started again (an ack timeout), for the timeline and the card. */
  restartedBecause?: string;
  /** The claim that timed out (the card says it in the team's language). */
  timedOutClaim?: { ownerName: string; minutes: number };
}

export interface AckDeadline {
  /** The claim it belongs to (its owner's `at`, ISO): a wake-up for another claim is stale. */
  key: string;
  dueAt: Date;
  ownerName: string;
  ownerId?: string;
  claimedAt: Date;
  /** While muted or in maintenance: what was left of the deadline when the pause began. */
  pausedRemainingMs?: number;
}

/** What identifies one step; a job or timer carrying other values is stale. */
export interface StepRef {
  alertId: string;
  token: string;
  cycle: number;
  level: number;
  /** Set for an ack-timeout wake-up: the claim's key (then cycle and level are 0). */
  ack?: string;
}

const DEFAULT_REPEAT_GAP_MS = 5 * 60_000;

export function snapshotPolicy(p: EscalationPolicy): EscalationSnapshot {
  return {
    policyId: p.id,
    ...(p.name ? { name: p.name } : {}),
    levels: p.levels.map((l) => ({ afterMs: parseConfigDuration(l.after) ?? 0, notify: l.notify })),
    repeat: p.repeat,
    ...optionalMs('ackTimeoutMs', p.ackTimeout),
    ...optionalMs('snoozeMaxMs', p.snoozeMax),
  };
}

function optionalMs<K extends string>(key: K, text: string | undefined): Partial<Record<K, number>> {
  const ms = text === undefined ? null : parseConfigDuration(text);
  return ms === null ? {} : ({ [key]: ms } as Record<K, number>);
}

export function startEscalation(policy: EscalationSnapshot, openedAt: Date, token: string): AlertEscalation {
  return { policy, token, cycle: 1, level: 1, nextAt: new Date(openedAt.getTime() + (policy.levels[0]?.afterMs ?? 0)) };
}

type AlertView = { state: string; mutedUntil?: Date; maintenance?: unknown };

/** Whether the alert's plan may fire at all now (triggered, not muted, not in maintenance, not paused, not done). */
export function isActive(esc: AlertEscalation | undefined, alert: AlertView, now: Date): esc is AlertEscalation & { nextAt: Date } {
  if (!esc || esc.done || !esc.nextAt || esc.pausedRemainingMs !== undefined) return false;
  // In a maintenance window nothing fires, whatever the stored plan says (src/core/maintenance-hold.ts).
  if (alert.state !== 'triggered' || alert.maintenance) return false;
  return !(alert.mutedUntil && alert.mutedUntil.getTime() > now.getTime());
}

/** The level to fire now, or null (nothing due, stopped, paused, or the ref is stale). */
export function dueLevel(
  esc: AlertEscalation | undefined,
  alert: AlertView,
  now: Date,
  ref?: Omit<StepRef, 'alertId'>,
): { cycle: number; level: number; dueAt: Date; targets: EscalationTarget[] } | null {
  if (!isActive(esc, alert, now)) return null;
  if (ref && (ref.token !== esc.token || ref.cycle !== esc.cycle || ref.level !== esc.level)) return null;
  if (esc.nextAt.getTime() > now.getTime()) return null;
  const lvl = esc.policy.levels[esc.level - 1];
  if (!lvl) return null;
  return { cycle: esc.cycle, level: esc.level, dueAt: esc.nextAt, targets: lvl.notify };
}

/** The plan after the due level fired. */
export function afterFired(esc: AlertEscalation, now: Date): AlertEscalation {
  const levels = esc.policy.levels;
  const due = esc.nextAt ?? now;
  const cur = levels[esc.level - 1]!;
  const fired = { firedLevel: esc.level, firedAt: now };
  const next = levels[esc.level];
  if (next) return { ...esc, ...fired, level: esc.level + 1, nextAt: new Date(due.getTime() + Math.max(0, next.afterMs - cur.afterMs)) };
  if (esc.cycle <= esc.policy.repeat) {
    return { ...esc, ...fired, cycle: esc.cycle + 1, level: 1, nextAt: new Date(due.getTime() + repeatGap(esc.policy)) };
  }
  const { nextAt: _drop, ...rest } = esc;
  return { ...rest, ...fired, done: true };
}

function repeatGap(p: EscalationSnapshot): number {
  const n = p.levels.length;
  const gap = n >= 2 ? p.levels[n - 1]!.afterMs - p.levels[n - 2]!.afterMs : (p.levels[0]?.afterMs ?? 0);
  return gap > 0 ? gap : DEFAULT_REPEAT_GAP_MS;
}

/** Manual escalate: the next level is due now (null when nothing is left to fire). */
export function jumpNow(esc: AlertEscalation | undefined, now: Date): AlertEscalation | null {
  if (!esc || esc.done) return null;
  const { pausedRemainingMs: _p, ...rest } = esc;
  return { ...rest, nextAt: now };
}

/** A mute began: keep what is left of the wait. */
export function pause(esc: AlertEscalation, now: Date): AlertEscalation {
  if (esc.done || !esc.nextAt || esc.pausedRemainingMs !== undefined) return esc;
  const { nextAt, ...rest } = esc;
  return { ...rest, pausedRemainingMs: Math.max(0, nextAt.getTime() - now.getTime()) };
}

/** The mute ended: the wait goes on from now for what was left. */
export function resume(esc: AlertEscalation, now: Date): AlertEscalation {
  if (esc.pausedRemainingMs === undefined) return esc;
  const { pausedRemainingMs, ...rest } = esc;
  return { ...rest, nextAt: new Date(now.getTime() + pausedRemainingMs) };
}

/** For the card: "level 2 of 3, next in 4 min". */
export function progress(esc: AlertEscalation | undefined, alert: AlertView, now: Date): { level: number; of: number; nextInMs?: number } | null {
  if (!esc || alert.state !== 'triggered') return null;
  const of = esc.policy.levels.length;
  const level = esc.firedLevel ?? 0;
  const nextInMs = esc.nextAt && esc.pausedRemainingMs === undefined ? Math.max(0, esc.nextAt.getTime() - now.getTime()) : undefined;
  if (level === 0 && nextInMs === undefined) return null;
  return nextInMs === undefined ? { level, of } : { level, of, nextInMs };
}
