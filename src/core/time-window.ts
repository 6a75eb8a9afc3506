import type { Calendar, TimeWindow } from '../config/schema.js';
import { DAY_MS, WEEKDAYS, wallMs } from './zoned-time.js';

/**
 * Whether an instant lies in a time window (days of the week, hours, zone, working days of a
 * named calendar), pure. `from` > `to` wraps midnight: `22:00`–`08:00` on `fri` includes
 * Saturday 03:00 (the night belongs to the day it starts on, for `days` and the calendar).
 */
export function inTimeWindow(w: TimeWindow, at: Date, defaultZone: string, calendars: Record<string, Calendar> = {}): boolean {
  const wall = wallMs(at, w.timeZone ?? defaultZone);
  const minute = Math.floor((((wall % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
  const from = w.from ? minutes(w.from) : 0;
  const to = w.to ? minutes(w.to) : 24 * 60;
  let day = wall;
  if (from < to) {
    if (minute < from || minute >= to) return false;
  } else if (from > to) {
    if (minute >= to && minute < from) return false;
    if (minute < to) day -= DAY_MS; // the early hours belong to the night that began yesterday
  }
  const date = new Date(day);
  if (w.days && !w.days.includes(WEEKDAYS[date.getUTCDay()]!)) return false;
  if (w.calendar) {
    const cal = calendars[w.calendar];
    if (cal) {
      const working = isWorkingDay(cal, date);
      if ((w.workingDays ?? true) !== working) return false;
    }
  }
  return true;
}

/** A wall date (as from `wallMs`) is a working day of the calendar: 调休 workdays and holidays first. */
export function isWorkingDay(cal: Calendar, wallDate: Date): boolean {
  const iso = wallDate.toISOString().slice(0, 10);
  if (cal.holidays.includes(iso)) return false;
  if (cal.workdays.includes(iso)) return true;
  return cal.weekdays.includes(WEEKDAYS[wallDate.getUTCDay()]!);
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}
