import type { Schedule } from '../config/schema.js';
import { changePoints, whoIsOnCall, type OnCallOptions } from './oncall.js';

/**
 * A schedule's timeline as shifts: who is on call from when to when, overrides applied, pure.
 * Built from the same `whoIsOnCall` that escalation and `oncall` use, sampled at every instant the
 * answer may change, so a calendar feed can never disagree with what the bot says.
 */
export interface Shift {
  scheduleId: string;
  member: string;
  start: Date;
  end: Date;
  /** The person covers (an override from the config or from chat) rather than their rotation. */
  override: boolean;
}

/**
 * The shifts overlapping `[from, to)`, clipped to it. Back-to-back pieces of the same person (a
 * layer's shift continuing after a restrict window's midnight) are one shift; an override is a
 * shift of its own even when the same person was on call anyway.
 */
export function shiftsBetween(s: Schedule, from: Date, to: Date, opts: OnCallOptions = {}): Shift[] {
  const out: Shift[] = [];
  const points = [from, ...changePoints(s, from, opts, to.getTime() - from.getTime()).filter((p) => p.getTime() < to.getTime()), to];
  let open: Shift | null = null;
  for (let i = 0; i < points.length - 1; i++) {
    const at = points[i]!;
    const who = whoIsOnCall(s, at, opts);
    const override = who?.source === 'override';
    if (open && who && open.member === who.member && open.override === override) continue;
    if (open) {
      open.end = at;
      out.push(open);
      open = null;
    }
    if (who) open = { scheduleId: s.id, member: who.member, start: at, end: to, override };
  }
  if (open) out.push(open);
  return out;
}
