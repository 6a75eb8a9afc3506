import { describe, expect, it } from 'vitest';
import { scheduleSchema, type Schedule } from '../../../src/config/schema.js';
import { layerShift, nextOnCall, whoIsOnCall } from '../../../src/core/oncall.js';

const schedule = (input: unknown): Schedule => scheduleSchema.parse(input);
const at = (iso: string): Date => new Date(iso);
const HOUR = 3_600_000;

describe('who is on call', () => {
  it('a daily 09:00 handoff in New York stays at 09:00 local across the March DST change (that shift lasts 23 h)', () => {
    const s = schedule({
      id: 'ny',
      name: 'NY',
      timeZone: 'America/New_York',
      layers: [{ members: ['ann', 'bob', 'cat'], shift: 'daily', start: '2026-03-01', handoff: '09:00' }],
    });
    // 2026-03-07 08:59 EST = 13:59Z: the 6th shift (index 5) → cat
    expect(whoIsOnCall(s, at('2026-03-07T13:59:00Z'))?.member).toBe('cat');
    // 2026-03-08 08:59 EDT = 12:59Z: still the shift that began Saturday 09:00 EST → ann
    expect(whoIsOnCall(s, at('2026-03-08T12:59:00Z'))?.member).toBe('ann');
    // 2026-03-08 09:00 EDT = 13:00Z → bob
    expect(whoIsOnCall(s, at('2026-03-08T13:00:00Z'))?.member).toBe('bob');
    const shift = layerShift(s.layers[0]!, s.timeZone, at('2026-03-08T12:00:00Z'))!;
    expect(shift.end.getTime() - shift.start.getTime()).toBe(23 * HOUR);
    expect(nextOnCall(s, at('2026-03-08T12:00:00Z'))).toEqual({ member: 'bob', at: at('2026-03-08T13:00:00Z') });
  });

  it('a weekly Monday 10:00 handoff in Berlin moves with the October DST change', () => {
    const s = schedule({
      id: 'de',
      name: 'DE',
      timeZone: 'Europe/Berlin',
      layers: [{ members: ['jan', 'eva'], shift: 'weekly', start: '2026-10-05', handoff: '10:00' }],
    });
    expect(whoIsOnCall(s, at('2026-10-20T12:00:00Z'))?.member).toBe('jan'); // third week
    // Monday 26 October 10:00 CET (winter time) = 09:00Z; the week before it began at 08:00Z (CEST).
    expect(nextOnCall(s, at('2026-10-20T12:00:00Z'))).toEqual({ member: 'eva', at: at('2026-10-26T09:00:00Z') });
    const week = layerShift(s.layers[0]!, s.timeZone, at('2026-10-20T12:00:00Z'))!;
    expect(week.start.toISOString()).toBe('2026-10-19T08:00:00.000Z');
    expect(week.end.getTime() - week.start.getTime()).toBe(7 * 24 * HOUR + HOUR);
    expect(week.end.getUTCDay()).toBe(1); // a Monday
  });

  it('a daily rotation started in January counts right in April (rotations spanning months)', () => {
    const s = schedule({
      id: 'cn',
      name: '运维',
      timeZone: 'Asia/Shanghai',
      layers: [{ members: ['a', 'b', 'c', 'd'], shift: 'daily', start: '2026-01-01', handoff: '09:00' }],
    });
    // 31 + 28 + 31 + 14 = 104 days after 1 January: 104 % 4 = 0 → a
    expect(whoIsOnCall(s, at('2026-04-15T01:00:00Z'))?.member).toBe('a');
    expect(whoIsOnCall(s, at('2026-04-15T00:59:00Z'))?.member).toBe('d');
    expect(whoIsOnCall(s, at('2025-12-31T12:00:00Z'))).toBeNull(); // before the rotation starts
  });

  it('12-hour shifts keep their 09:00 and 21:00 handoffs across the DST change', () => {
    const s = schedule({
      id: 'ny12',
      name: 'NY 12h',
      timeZone: 'America/New_York',
      layers: [{ members: ['day', 'night'], shift: '12h', start: '2026-03-01', handoff: '09:00' }],
    });
    expect(whoIsOnCall(s, at('2026-03-07T15:00:00Z'))?.member).toBe('day'); // Sat 10:00 EST
    expect(whoIsOnCall(s, at('2026-03-08T02:30:00Z'))?.member).toBe('night'); // Sat 21:30 EST
    // Sun 09:00 EDT = 13:00Z: the night shift that held the change lasted 11 h
    expect(nextOnCall(s, at('2026-03-08T02:30:00Z'))).toEqual({ member: 'day', at: at('2026-03-08T13:00:00Z') });
    expect(nextOnCall(s, at('2026-03-08T13:30:00Z'))).toEqual({ member: 'night', at: at('2026-03-09T01:00:00Z') });
  });

  it('the last layer with someone on call wins; outside its restrict window lower layers answer', () => {
    const s = schedule({
      id: 'layers',
      name: 'L',
      timeZone: 'Asia/Shanghai',
      layers: [
        { members: ['dayA', 'dayB'], shift: 'weekly', start: '2026-11-02', handoff: '09:00' },
        { members: ['nightX'], shift: 'daily', start: '2026-11-01', restrict: { from: '22:00', to: '08:00' } },
      ],
    });
    expect(whoIsOnCall(s, at('2026-11-05T06:00:00Z'))).toEqual({ member: 'dayA', source: 0 }); // 14:00
    expect(whoIsOnCall(s, at('2026-11-05T15:00:00Z'))).toEqual({ member: 'nightX', source: 1 }); // 23:00
    expect(whoIsOnCall(s, at('2026-11-05T23:30:00Z'))).toEqual({ member: 'nightX', source: 1 }); // 07:30 next day
    expect(nextOnCall(s, at('2026-11-05T06:00:00Z'))).toEqual({ member: 'nightX', at: at('2026-11-05T14:00:00Z') });
    expect(nextOnCall(s, at('2026-11-05T15:00:00Z'))).toEqual({ member: 'dayA', at: at('2026-11-06T00:00:00Z') });
  });

  it('overrides beat layers, and a cover made in chat beats the config override it overlaps', () => {
    const s = schedule({
      id: 'ov',
      name: 'O',
      timeZone: 'Asia/Shanghai',
      layers: [{ members: ['alice'], shift: 'daily', start: '2026-11-01' }],
      overrides: [{ member: 'bob', from: '2026-11-07T09:00', to: '2026-11-07T18:00' }],
    });
    expect(whoIsOnCall(s, at('2026-11-07T00:59:00Z'))?.member).toBe('alice');
    expect(whoIsOnCall(s, at('2026-11-07T01:00:00Z'))).toEqual({ member: 'bob', source: 'override' });
    expect(nextOnCall(s, at('2026-11-07T00:00:00Z'))).toEqual({ member: 'bob', at: at('2026-11-07T01:00:00Z') });
    expect(nextOnCall(s, at('2026-11-07T02:00:00Z'))).toEqual({ member: 'alice', at: at('2026-11-07T10:00:00Z') });
    const cover = [{ member: 'carol', from: at('2026-11-07T05:00:00Z'), to: at('2026-11-07T06:00:00Z') }];
    expect(whoIsOnCall(s, at('2026-11-07T05:30:00Z'), { extraOverrides: cover })?.member).toBe('carol');
    // a one-person rotation with no override ahead never hands off
    expect(nextOnCall(s, at('2026-11-08T00:00:00Z'))).toBeNull();
  });
});
