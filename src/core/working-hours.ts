import type { WorkingHours } from '../config/schema.js';
import { compileTimeWindow, localTime, type CompiledWindow } from './time-window.js';

/**
 * The minimal notion of working hours analytics needs: days of the week and one time span, in a
 * zone, evaluated as a time window of dispatch's (src/core/time-window.ts) without a calendar:
 * "out of hours" is a figure here, not a routing decision. Pure: the instant is passed in.
 */

/** `YYYY-MM-DD` of an instant in a zone: the day bucket of analytics. */
export function dayOf(at: Date, timeZone: string): string {
  return localTime(at, timeZone).date;
}

const NO_CALENDARS = new Map();
const compiled = new WeakMap<WorkingHours, Map<string, CompiledWindow>>();

/** Inside working hours: a working day and `from` ≤ time < `to` (`from` > `to` wraps midnight; the night belongs to the day it starts on). */
export function isWorkingTime(at: Date, hours: WorkingHours, timeZone: string): boolean {
  let byZone = compiled.get(hours);
  if (!byZone) compiled.set(hours, (byZone = new Map()));
  let w = byZone.get(timeZone);
  if (!w) byZone.set(timeZone, (w = compileTimeWindow({ days: hours.days, from: hours.from, to: hours.to, timeZone }, NO_CALENDARS, timeZone)));
  return w.holds(at);
}
