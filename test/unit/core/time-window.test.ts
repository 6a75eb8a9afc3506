import { describe, expect, it } from 'vitest';
import type { TimeWindow } from '../../../src/config/schema.js';
import { compileCalendar, compileTimeWindow, localTime } from '../../../src/core/time-window.js';

/** A 2027 mainland-China calendar: National Day 10-01..10-07, make-up working days 09-26 (Sun) and 10-09 (Sat). */
const cn = compileCalendar('cn-2027', {
  holidays: ['2027-10-01', '2027-10-02', '2027-10-03', '2027-10-04', '2027-10-05', '2027-10-06', '2027-10-07'],
  workdays: ['2027-09-26', '2027-10-09'],
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
});
const calendars = new Map([['cn-2027', cn]]);
const holds = (w: TimeWindow, at: string) => {
  const window = compileTimeWindow(w, calendars, 'Asia/Shanghai');
  const v = window.explain(new Date(at));
  expect(window.holds(new Date(at))).toBe(v.ok);
  return v;
};

describe('time windows', () => {
  it('reads hours in the window’s zone, the config’s zone by default', () => {
    const office = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' } as TimeWindow;
    // 02:00Z on Thursday is 10:00 in Shanghai and 21:00 on Wednesday in New York.
    expect(holds(office, '2026-12-03T02:00:00Z')).toEqual({ ok: true, why: '2026-12-03 (thu) 10:00 Asia/Shanghai is in the window' });
    expect(holds({ ...office, timeZone: 'America/New_York' }, '2026-12-03T02:00:00Z')).toEqual({
      ok: false,
      why: '2026-12-02 (wed) 21:00 America/New_York is outside 09:00–18:00',
    });
    expect(holds(office, '2026-12-03T10:00:00Z').ok).toBe(false); // 18:00 in Shanghai: `to` is exclusive
    expect(holds(office, '2026-12-05T02:00:00Z').ok).toBe(false); // Saturday
  });

  it('follows daylight saving: 09:00 New York is 14:00Z in winter and 13:00Z in summer', () => {
    const ny = { from: '09:00', to: '17:00', timeZone: 'America/New_York' };
    expect(holds(ny, '2027-03-12T13:30:00Z').ok).toBe(false); // Friday, 08:30 EST
    expect(holds(ny, '2027-03-15T13:30:00Z').ok).toBe(true); // Monday after the change, 09:30 EDT
    expect(localTime(new Date('2027-03-14T07:30:00Z'), 'America/New_York')).toEqual({ date: '2027-03-14', weekday: 'sun', minutes: 3 * 60 + 30 });
  });

  it('a window from 22:00 to 08:00 wraps midnight, and its early hours belong to the night’s first day', () => {
    const fridayNight = { days: ['fri'], from: '22:00', to: '08:00' } as TimeWindow;
    expect(holds(fridayNight, '2026-12-04T15:00:00Z').ok).toBe(true); // Fri 23:00
    expect(holds(fridayNight, '2026-12-04T19:00:00Z')).toEqual({
      ok: true,
      why: '2026-12-05 (sat) 03:00 Asia/Shanghai (the night of 2026-12-04, fri) is in the window',
    });
    expect(holds(fridayNight, '2026-12-03T19:00:00Z').ok).toBe(false); // Fri 03:00 is Thursday night
    expect(holds(fridayNight, '2026-12-05T00:00:00Z').ok).toBe(false); // Sat 08:00: over
  });

  it('from alone runs to midnight, to alone from midnight', () => {
    expect(holds({ from: '20:00' }, '2026-12-03T15:59:00Z').ok).toBe(true); // 23:59
    expect(holds({ to: '06:00' }, '2026-12-02T21:00:00Z').ok).toBe(true); // 05:00
    expect(holds({ to: '06:00' }, '2026-12-02T23:00:00Z').ok).toBe(false); // 07:00
  });

  it('calendars: holidays are days off, make-up days (调休) are working days, weekends follow weekdays', () => {
    const off = { calendar: 'cn-2027', workingDays: false };
    expect(holds(off, '2027-10-01T02:00:00Z')).toEqual({
      ok: true,
      why: '2027-10-01 (fri) 10:00 Asia/Shanghai: 2027-10-01 is a holiday in calendar cn-2027',
    });
    expect(holds(off, '2027-10-09T02:00:00Z')).toEqual({
      ok: false,
      why: '2027-10-09 (sat) 10:00 Asia/Shanghai: 2027-10-09 is a working day (make-up day, 调休) in calendar cn-2027, not a day off',
    });
    expect(holds(off, '2027-10-16T02:00:00Z').ok).toBe(true); // an ordinary Saturday
    expect(holds({ calendar: 'cn-2027' }, '2027-10-11T02:00:00Z').ok).toBe(true); // working days by default
  });

  it('the night after the last holiday still counts as the holiday', () => {
    const holidayNights = { calendar: 'cn-2027', workingDays: false, from: '18:00', to: '09:00' };
    expect(holds(holidayNights, '2027-10-07T19:00:00Z').ok).toBe(true); // Fri 10-08 03:00: night of 10-07
    expect(holds(holidayNights, '2027-10-08T19:00:00Z').ok).toBe(false); // Sat 10-09 03:00: night of working 10-08
  });
});
