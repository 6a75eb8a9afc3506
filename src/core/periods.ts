import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import type { Period } from './analytics.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/** Periods of analytics in a team's zone, pure (the instant is passed in). */

const DAY_INDEX = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } as const;
export type WeekdayName = keyof typeof DAY_INDEX;

/**
 * The last `days` local days, today included: from local midnight `days - 1` days ago to the
 * coming midnight (so an alert opened this instant counts; "at the period's end" is now).
 */
export function lastDays(now: Date, days: number, timeZone: string): Period {
  const today = dayjs(now).tz(timeZone).format('YYYY-MM-DD');
  const start = dayjs.tz(today, timeZone).subtract(days - 1, 'day').format('YYYY-MM-DD');
  const end = dayjs.tz(today, timeZone).add(1, 'day').format('YYYY-MM-DD');
  return { from: dayjs.tz(start, timeZone).toDate(), to: dayjs.tz(end, timeZone).toDate() };
}

/** The seven whole local days before the latest local midnight at or before `now`. */
export function previousWeek(now: Date, timeZone: string): Period {
  const today = dayjs(now).tz(timeZone).format('YYYY-MM-DD');
  const to = dayjs.tz(today, timeZone);
  const from = dayjs.tz(to.subtract(7, 'day').format('YYYY-MM-DD'), timeZone);
  return { from: from.toDate(), to: to.toDate() };
}

/** The first instant strictly after `now` that is weekday `day` at `at` (`HH:mm`) in the zone. */
export function nextWeekly(now: Date, day: WeekdayName, at: string, timeZone: string): Date {
  const local = dayjs(now).tz(timeZone);
  for (let i = 0; i <= 7; i++) {
    const date = local.add(i, 'day');
    if (date.day() !== DAY_INDEX[day]) continue;
    const candidate = dayjs.tz(`${date.format('YYYY-MM-DD')} ${at}`, timeZone).toDate();
    if (candidate.getTime() > now.getTime()) return candidate;
  }
  // `now` is on that weekday after `at`: the same time a week later.
  const date = local.add(7, 'day');
  return dayjs.tz(`${date.format('YYYY-MM-DD')} ${at}`, timeZone).toDate();
}

/** `YYYY-MM-DD` of an instant in a zone. */
export function localDate(at: Date, timeZone: string): string {
  return dayjs(at).tz(timeZone).format('YYYY-MM-DD');
}

/** Midnight starting a local date (`YYYY-MM-DD`) in a zone. */
export function startOfLocalDate(date: string, timeZone: string): Date {
  return dayjs.tz(date, timeZone).toDate();
}
