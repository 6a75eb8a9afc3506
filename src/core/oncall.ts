import type { Calendar, Schedule, ScheduleLayer } from '../config/schema.js';
import { parseConfigDuration } from './duration.js';
import { inTimeWindow } from './time-window.js';
import { DAY_MS, fromWall, parseZonedDateTime, wallMs, wallOf } from './zoned-time.js';

/**
 * Who is on call, pure. A schedule has layers (rotations) and overrides:
 * - a layer's shifts are counted on the wall clock of the schedule's zone from `start` at
 *   `handoff`: daily and weekly shifts (and N-hour ones) keep their handoff time across
 *   daylight-saving changes; the shift that contains the change is an hour shorter or longer;
 * - the last layer with someone on call at an instant wins (a `restrict`ed layer is on call only
 *   inside its window; outside, lower layers answer);
 * - an override beats every layer; of overlapping overrides the last one wins (chat `cover`
 *   commands are appended after the config's, so the newest cover counts).
 */
export interface OverrideSpan {
  member: string;
  from: Date;
  to: Date;
}

export interface OnCall {
  member: string;
  /** Index of the layer, or `override`. */
  source: number | 'override';
}

export interface NextOnCall {
  /** Absent when nobody is on call from that instant. */
  member?: string;
  /** The handoff instant. */
  at: Date;
}

export interface OnCallOptions {
  /** Overrides made in chat, after the config's own. */
  extraOverrides?: readonly OverrideSpan[];
  calendars?: Record<string, Calendar>;
}

const SHIFT_MS = { daily: DAY_MS, weekly: 7 * DAY_MS } as const;

export function shiftMs(layer: Pick<ScheduleLayer, 'shift'>): number {
  const ms = layer.shift === 'daily' || layer.shift === 'weekly' ? SHIFT_MS[layer.shift] : parseConfigDuration(layer.shift);
  return ms && ms > 0 ? ms : DAY_MS;
}

/** The config's overrides as instants (an unreadable one is dropped; config validation reports it). */
export function configOverrides(s: Pick<Schedule, 'overrides' | 'timeZone'>): OverrideSpan[] {
  return s.overrides.flatMap((o) => {
    const from = parseZonedDateTime(o.from, s.timeZone);
    const to = parseZonedDateTime(o.to, s.timeZone);
    return from && to ? [{ member: o.member, from, to }] : [];
  });
}

/** The member a layer's rotation has on at an instant, ignoring its restrict window; null before `start`. */
export function layerShift(layer: ScheduleLayer, zone: string, at: Date): { member: string; index: number; start: Date; end: Date } | null {
  const len = shiftMs(layer);
  const w0 = wallOf(layer.start, layer.handoff);
  const w = wallMs(at, zone);
  if (w < w0 || layer.members.length === 0) return null;
  const index = Math.floor((w - w0) / len);
  return {
    member: layer.members[index % layer.members.length]!,
    index,
    start: fromWall(w0 + index * len, zone),
    end: fromWall(w0 + (index + 1) * len, zone),
  };
}

export function whoIsOnCall(s: Schedule, at: Date, opts: OnCallOptions = {}): OnCall | null {
  const overrides = [...configOverrides(s), ...(opts.extraOverrides ?? [])];
  for (let i = overrides.length - 1; i >= 0; i--) {
    const o = overrides[i]!;
    if (o.from.getTime() <= at.getTime() && at.getTime() < o.to.getTime()) return { member: o.member, source: 'override' };
  }
  for (let i = s.layers.length - 1; i >= 0; i--) {
    const layer = s.layers[i]!;
    if (layer.restrict && !inTimeWindow(layer.restrict, at, s.timeZone, opts.calendars)) continue;
    const shift = layerShift(layer, s.timeZone, at);
    if (shift) return { member: shift.member, source: i };
  }
  return null;
}

/** How far ahead `nextOnCall` looks for a handoff. */
const HORIZON_MS = 62 * DAY_MS;

/**
 * The next change of the on-call person after `at`: who takes over and when. Null when nobody
 * changes within about two months (a one-person rotation).
 */
export function nextOnCall(s: Schedule, at: Date, opts: OnCallOptions = {}): NextOnCall | null {
  const now = whoIsOnCall(s, at, opts)?.member;
  for (const c of changePoints(s, at, opts)) {
    const who = whoIsOnCall(s, c, opts)?.member;
    if (who !== now) return who ? { member: who, at: c } : { at: c };
  }
  return null;
}

/**
 * Every instant after `at` (within `horizonMs`) where the answer may change, ascending. Not every
 * point is a change (a restrict window's midnight): callers compare who is on call either side.
 */
export function changePoints(s: Schedule, at: Date, opts: OnCallOptions, horizonMs = HORIZON_MS): Date[] {
  const t0 = at.getTime();
  const end = t0 + horizonMs;
  const points = new Set<number>();
  const add = (t: number): void => {
    if (t > t0 && t <= end) points.add(t);
  };
  for (const o of [...configOverrides(s), ...(opts.extraOverrides ?? [])]) {
    add(o.from.getTime());
    add(o.to.getTime());
  }
  const zone = s.timeZone;
  for (const layer of s.layers) {
    const len = shiftMs(layer);
    const w0 = wallOf(layer.start, layer.handoff);
    const wStart = wallMs(at, zone);
    const first = Math.max(0, Math.floor((wStart - w0) / len));
    for (let n = first; n < first + 5000; n++) {
      const t = fromWall(w0 + n * len, zone).getTime();
      if (t > end) break;
      add(t);
    }
    if (layer.restrict) {
      // A window changes at its own times and at midnight (days of the week, working days).
      const rz = layer.restrict.timeZone ?? zone;
      const day0 = Math.floor(wallMs(at, rz) / DAY_MS) * DAY_MS;
      const times = ['00:00', layer.restrict.from, layer.restrict.to].filter((x): x is string => !!x);
      for (let d = day0; d <= day0 + horizonMs + DAY_MS; d += DAY_MS) {
        for (const hhmm of times) {
          const [h, m] = hhmm.split(':').map(Number) as [number, number];
          add(fromWall(d + (h * 60 + m) * 60_000, rz).getTime());
        }
      }
    }
  }
  return [...points].sort((a, b) => a - b).map((t) => new Date(t));
}

/** Overlapping overrides in a list (config validation): the indexes of the first pair, or null. */
export function firstOverlap(spans: ReadonlyArray<{ from: Date; to: Date }>): [number, number] | null {
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const a = spans[i]!;
      const b = spans[j]!;
      if (a.from.getTime() < b.to.getTime() && b.from.getTime() < a.to.getTime()) return [i, j];
    }
  }
  return null;
}
