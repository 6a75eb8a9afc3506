import type { WorkingHours } from '../config/schema.js';

/**
 * The minimal notion of working hours analytics needs: days of the week and one time span, in a
 * zone. Deliberately apart from dispatch's calendars (holidays, 调休): "out of hours" is a
 * figure here, not a routing decision. Pure: the instant is passed in.
 */

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface LocalTime {
  /** `YYYY-MM-DD` in the zone. */
  day: string;
  weekday: Weekday;
  /** Minutes since local midnight. */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock date, weekday and time of an instant in a zone. */
export function localTime(at: Date, timeZone: string): LocalTime {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(at).map((p) => [p.type, p.value]));
  const weekday = String(parts.weekday).slice(0, 3).toLowerCase() as Weekday;
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** `YYYY-MM-DD` of an instant in a zone: the day bucket of analytics. */
export function dayOf(at: Date, timeZone: string): string {
  return localTime(at, timeZone).day;
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Inside working hours: a working day and `from` ≤ time < `to` (`from` > `to` wraps midnight). */
export function isWorkingTime(at: Date, hours: WorkingHours, timeZone: string): boolean {
  const t = localTime(at, timeZone);
  const from = minutesOf(hours.from);
  const to = minutesOf(hours.to);
  if (from <= to) return hours.days.includes(t.weekday) && t.minutes >= from && t.minutes < to;
  // A night shift (22:00–06:00) belongs to the day it starts on.
  if (t.minutes >= from) return hours.days.includes(t.weekday);
  if (t.minutes < to) return hours.days.includes(WEEKDAYS[(WEEKDAYS.indexOf(t.weekday) + 6) % 7]!);
  return false;
}
