import type { Calendar, TimeWindow } from '../config/schema.js';

/**
 * Time windows ("weekdays 09:00–18:00 Asia/Shanghai", "nights 22:00–08:00", "days off in the
 * cn-2027 calendar") evaluated at an instant. Pure: the instant is passed in.
 *
 * A window whose `from` is after its `to` wraps midnight, and the hours after midnight belong to
 * the day the window started: `days: [fri], from: 22:00, to: 08:00` holds on Saturday 03:00 (it is
 * Friday night), and a calendar's holiday check for 03:00 asks about the day before.
 */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export interface CompiledCalendar {
  name: string;
  isWorkingDay(date: string, weekday: Weekday): boolean;
  /** `holiday`, `working day (调休)`, `weekend`, `working day`: for explanations. */
  describe(date: string, weekday: Weekday): string;
}

export function compileCalendar(name: string, c: Calendar): CompiledCalendar {
  const holidays = new Set(c.holidays);
  const workdays = new Set(c.workdays);
  const weekdays = new Set<string>(c.weekdays);
  return {
    name,
    isWorkingDay: (date, wd) => workdays.has(date) || (!holidays.has(date) && weekdays.has(wd)),
    describe: (date, wd) =>
      workdays.has(date) ? 'a working day (make-up day, 调休)' : holidays.has(date) ? 'a holiday' : weekdays.has(wd) ? 'a working day' : 'a day off',
  };
}

export interface LocalTime {
  /** `YYYY-MM-DD` in the zone. */
  date: string;
  weekday: Weekday;
  /** Minutes since local midnight. */
  minutes: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

const lastMinute = new Map<string, { minute: number; local: LocalTime }>();

/**
 * The wall-clock date and time of an instant in a zone (Intl, so daylight saving is right).
 * Alerts arrive in bursts, so the last minute asked for in each zone is remembered: Intl's
 * formatting is most of the cost of a time window.
 */
export function localTime(at: Date, timeZone: string): LocalTime {
  const minute = Math.floor(at.getTime() / 60_000);
  const last = lastMinute.get(timeZone);
  if (last?.minute === minute) return last.local;
  const local = formatLocal(at, timeZone);
  lastMinute.set(timeZone, { minute, local });
  return local;
}

function formatLocal(at: Date, timeZone: string): LocalTime {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(at)) p[part.type] = part.value;
  const date = `${p.year}-${p.month}-${p.day}`;
  return { date, weekday: weekdayOf(date), minutes: (Number(p.hour) % 24) * 60 + Number(p.minute) };
}

function weekdayOf(date: string): Weekday {
  return WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
}

function dayBefore(date: string): string {
  return new Date(new Date(`${date}T00:00:00Z`).getTime() - 86_400_000).toISOString().slice(0, 10);
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmm = (min: number): string => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

export interface WindowVerdict {
  ok: boolean;
  why: string;
}

export interface CompiledWindow {
  holds(at: Date): boolean;
  /** The same answer with the reason in words (routes test); `holds` builds no strings. */
  explain(at: Date): WindowVerdict;
}

/**
 * Compiles a window. `calendars` must hold the window's calendar (config validation checks the
 * name first); `defaultZone` is the config's `timeZone`.
 */
export function compileTimeWindow(w: TimeWindow, calendars: ReadonlyMap<string, CompiledCalendar>, defaultZone: string): CompiledWindow {
  const zone = w.timeZone ?? defaultZone;
  const from = w.from ? minutesOf(w.from) : 0;
  const to = w.to ? minutesOf(w.to) : 24 * 60;
  const hasHours = w.from !== undefined || w.to !== undefined;
  const wraps = from > to;
  const days = w.days ? new Set<string>(w.days) : undefined;
  let calendar: CompiledCalendar | undefined;
  if (w.calendar) {
    calendar = calendars.get(w.calendar);
    if (!calendar) throw new Error(`unknown calendar "${w.calendar}"`);
  }
  const wantWorking = w.workingDays ?? true;

  const evaluate = (at: Date, explain: boolean): WindowVerdict => {
    const t = localTime(at, zone);
    const when = explain ? `${t.date} (${t.weekday}) ${hhmm(t.minutes)} ${zone}` : '';
    let day = t.date;
    if (hasHours) {
      const inHours = wraps ? t.minutes >= from || t.minutes < to : t.minutes >= from && t.minutes < to;
      if (!inHours) return { ok: false, why: explain ? `${when} is outside ${hhmm(from)}–${hhmm(to % 1440)}` : '' };
      if (wraps && t.minutes < to) day = dayBefore(t.date);
    }
    const weekday = day === t.date ? t.weekday : weekdayOf(day);
    const ofDay = !explain || day === t.date ? '' : ` (the night of ${day}, ${weekday})`;
    if (days && !days.has(weekday)) return { ok: false, why: explain ? `${when}${ofDay}: ${weekday} is not one of ${[...days].join(', ')}` : '' };
    if (calendar) {
      const ok = calendar.isWorkingDay(day, weekday) === wantWorking;
      if (!explain) return { ok, why: '' };
      const what = `${day} is ${calendar.describe(day, weekday)} in calendar ${calendar.name}`;
      return { ok, why: ok ? `${when}${ofDay}: ${what}` : `${when}${ofDay}: ${what}, not a ${wantWorking ? 'working day' : 'day off'}` };
    }
    return { ok: true, why: explain ? `${when}${ofDay} is in the window` : '' };
  };
  return { holds: (at) => evaluate(at, false).ok, explain: (at) => evaluate(at, true) };
}

/**
 * A one-off check (an on-call layer's `restrict`): compiles the window and asks it. A calendar the
 * config does not have is left out rather than thrown on (config validation names it first).
 */
export function inTimeWindow(w: TimeWindow, at: Date, defaultZone: string, calendars: Readonly<Record<string, Calendar>> = {}): boolean {
  const known = w.calendar && calendars[w.calendar] ? w : { ...w, calendar: undefined, workingDays: undefined };
  const compiled = new Map(Object.entries(calendars).map(([n, c]) => [n, compileCalendar(n, c)]));
  return compileTimeWindow(known, compiled, defaultZone).holds(at);
}
