import { describe, expect, it } from 'vitest';
import type { Route } from '../../../src/config/schema.js';
import { Dispatcher, type Arrival } from '../../../src/core/routing.js';
import type { NormalizedEvent } from '../../../src/core/types.js';

const rule = (r: Partial<Route> & { name: string; teams: string[] }): Route => ({ channels: [], continue: false, ...r });
const dispatcher = (routes: Route[]) =>
  new Dispatcher({
    routes,
    hostGroups: { databases: ['db-*'] },
    calendars: { cn: { holidays: ['2027-10-01'], workdays: ['2027-10-09'], weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] } },
    timeZone: 'Asia/Shanghai',
  });
const prometheus: Arrival = { integration: 'prometheus', source: 'alertmanager', application: 'k8s', team: 'ops' };
const event = (e: Partial<NormalizedEvent> = {}): NormalizedEvent => ({
  eventType: 'trigger',
  dedupKey: 'k',
  title: 'MySQL down',
  severity: 'critical',
  host: 'db-1:9104',
  labels: [{ name: 'service', value: 'mysql' }],
  links: [],
  ...e,
});
const WEEKDAY_NOON = new Date('2026-12-03T04:00:00Z');

describe('routing', () => {
  const routes = [
    rule({ name: 'databases', match: { hostGroup: ['databases'] }, teams: ['dba'], escalationPolicy: 'db-policy' }),
    rule({ name: 'critical', match: { severity: ['critical'] }, teams: ['ops'] }),
    rule({ name: 'default', teams: ['noc'] }),
  ];

  it('the first matching rule wins', () => {
    const r = dispatcher(routes).route(prometheus, event(), WEEKDAY_NOON);
    expect(r).toEqual({ route: { rules: ['databases'], teams: ['dba'], channels: [], escalationPolicy: 'db-policy' }, fallback: false, rules: [] });
  });

  it('a rule without match catches the rest', () => {
    const r = dispatcher(routes).route(prometheus, event({ host: 'web-1', severity: 'warning' }), WEEKDAY_NOON);
    expect(r.route).toEqual({ rules: ['default'], teams: ['noc'], channels: [] });
  });

  it('continue: true lets later rules add their teams and channels; the first policy named wins', () => {
    const night = rule({
      name: 'nights',
      match: { time: { from: '22:00', to: '08:00' } },
      teams: ['night-shift'],
      escalationPolicy: 'night',
      channels: [{ platform: 'slack', channel: 'C0NIGHT' }],
      continue: true,
    });
    const d = dispatcher([night, ...routes]);
    expect(d.route(prometheus, event(), new Date('2026-12-03T16:00:00Z')).route).toEqual({
      rules: ['nights', 'databases'],
      teams: ['night-shift', 'dba'],
      escalationPolicy: 'night',
      channels: [{ platform: 'slack', channel: 'C0NIGHT' }],
    });
    expect(d.route(prometheus, event(), WEEKDAY_NOON).route.rules).toEqual(['databases']);
  });

  it('with no rule matching, the integration’s team gets the alert', () => {
    const r = dispatcher([routes[0]!]).route(prometheus, event({ host: 'web-1' }), WEEKDAY_NOON);
    expect(r).toMatchObject({ route: { rules: [], teams: ['ops'], channels: [] }, fallback: true });
    expect(dispatcher([]).route(prometheus, event(), WEEKDAY_NOON).route.teams).toEqual(['ops']);
  });

  it('explains every rule: matched, not matched and why, not tried', () => {
    const r = dispatcher(routes).route(prometheus, event({ host: 'web-1' }), WEEKDAY_NOON, { explain: true });
    expect(r.rules.map((v) => [v.rule, v.reached, v.matched])).toEqual([
      ['databases', true, false],
      ['critical', true, true],
      ['default', false, false],
    ]);
    expect(r.rules[0]!.why).toBe('did not match: ✗ host web-1 is in none of the groups databases');
    expect(r.rules[1]!.why).toBe('matched: ✓ severity critical is one of critical');
    expect(r.rules[2]!.why).toBe('not tried: rule critical matched first');
  });

  it('a holiday rule uses the calendar: holidays and weekends, but not make-up working days', () => {
    const d = dispatcher([
      rule({ name: 'holiday', match: { time: { calendar: 'cn', workingDays: false } }, teams: ['holiday-duty'] }),
      rule({ name: 'default', teams: ['ops'] }),
    ]);
    expect(d.route(prometheus, event(), new Date('2027-10-01T02:00:00Z')).route.teams).toEqual(['holiday-duty']);
    expect(d.route(prometheus, event(), new Date('2027-10-09T02:00:00Z')).route.teams).toEqual(['ops']);
    expect(d.route(prometheus, event(), new Date('2027-10-10T02:00:00Z')).route.teams).toEqual(['holiday-duty']);
  });

  it('a rule whose matchers cannot compile names its path', () => {
    expect(() => dispatcher([rule({ name: 'x', teams: ['ops'] }), rule({ name: 'y', match: { labels: ['env=~"("'] }, teams: ['ops'] })])).toThrow(
      /^\[1\]\.match\.labels\[0\]: "env=~"\(""?: the regex does not compile/,
    );
  });
});
