import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * Wall-clock arithmetic in an IANA zone, pure. A "wall" time is the local date and time of a zone
 * written as milliseconds as if it were UTC: shifts and windows are counted on it, so a 09:00
 * handoff stays at 09:00 across daylight-saving changes (that day's shift is 23 or 25 hours).
 */
export function wallMs(instant: Date | number, zone: string): number {
  const t = typeof instant === 'number' ? instant : instant.getTime();
  return t + dayjs(t).tz(zone).utcOffset() * 60_000;
}

/** The instant a wall time happens in `zone` (a wall time skipped by a spring-forward reads one hour later). */
export function fromWall(wall: number, zone: string): Date {
  const local = new Date(wall).toISOString().slice(0, 19);
  return dayjs.tz(local, zone).toDate();
}

/** `2026-10-01` + `09:00` as a wall time. */
export function wallOf(date: string, time = '00:00'): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  return Date.UTC(y, m - 1, d, hh, mm);
}

/** `2026-12-05T09:00` (local in `zone`) or with an offset/`Z`; null when it is not a date. */
export function parseZonedDateTime(text: string, zone: string): Date | null {
  const s = text.trim();
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) {
    const d = new Date(s);
    return Number.isFinite(d.getTime()) ? d : null;
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$/.test(s)) return null;
  const d = dayjs.tz(s.replace(' ', 'T'), zone);
  return d.isValid() ? d.toDate() : null;
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export const DAY_MS = 86_400_000;
