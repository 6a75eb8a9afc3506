import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

const base = `
members:
  - { id: alice, name: Alice }
  - { id: bob, name: Bob }
teams:
  - { id: ops, name: Ops, members: [alice, bob], schedule: primary, escalationPolicy: critical }
schedules:
  - id: primary
    name: Primary
    timeZone: Asia/Shanghai
    layers:
      - { members: [alice, bob], shift: daily, start: "2026-11-01", handoff: "09:00" }
    overrides:
      - { member: bob, from: "2026-12-05T09:00", to: "2026-12-05T18:00" }
escalationPolicies:
  - id: critical
    levels:
      - { after: 0s, notify: [{ team: ops, via: [chat] }] }
      - { after: 5m, notify: [{ schedule: primary, via: [sms, voice] }] }
      - { after: 10m, notify: [{ member: bob, via: [voice, email] }] }
    repeat: 2
`;

describe('config: schedules and escalation policies', () => {
  it('accepts a sound set-up', () => {
    const cfg = parseConfig(base);
    expect(cfg.schedules[0]!.layers[0]!.members).toEqual(['alice', 'bob']);
    expect(cfg.escalationPolicies[0]!.repeat).toBe(2);
  });

  it.each([
    ['a team naming an unknown policy', ['escalationPolicy: critical }', 'escalationPolicy: critcal }'], 'teams[0].escalationPolicy: unknown escalation policy "critcal"'],
    ['a team naming an unknown schedule', ['schedule: primary,', 'schedule: primry,'], 'teams[0].schedule: unknown schedule "primry"'],
    ['a rotation member nobody knows', ['members: [alice, bob], shift', 'members: [alice, bobb], shift'], 'schedules[0].layers[0].members[1]: unknown member "bobb"'],
    ['a rotation with no members', ['members: [alice, bob], shift', 'members: [], shift'], 'schedules[0].layers[0].members: a rotation needs at least one member'],
    ['an override for an unknown member', ['{ member: bob, from', '{ member: carol, from'], 'schedules[0].overrides[0].member: unknown member "carol"'],
    ['a level naming an unknown schedule', ['{ schedule: primary, via: [sms', '{ schedule: backup, via: [sms'], 'escalationPolicies[0].levels[1].notify[0].schedule: unknown schedule "backup"'],
    ['a level naming an unknown member', ['{ member: bob, via', '{ member: bobby, via'], 'escalationPolicies[0].levels[2].notify[0].member: unknown member "bobby"'],
    ['a level naming an unknown team', ['{ team: ops, via: [chat] }', '{ team: dba, via: [chat] }'], 'escalationPolicies[0].levels[0].notify[0].team: unknown team "dba"'],
    ['an unknown method', ['via: [voice, email]', 'via: [voice, pager]'], /^escalationPolicies\[0\]\.levels\[2\]\.notify\[0\]\.via\[1\]: /],
    ['a bad duration', ['after: 5m', 'after: 5 minutes'], 'escalationPolicies[0].levels[1].after: a duration like 30s, 5m, 1h, 1h30m, 2d'],
    ['levels out of time order', ['after: 10m', 'after: 1m'], 'escalationPolicies[0].levels[2].after: earlier than levels[1].after: levels go in time order'],
    ['a webhook with no url', ['via: [voice, email]', 'via: [webhook]'], 'escalationPolicies[0].levels[2].notify[0].url: required when via lists webhook'],
    ['a time zone that does not exist', ['Asia/Shanghai', 'Asia/Shanghia'], /^schedules\[0\]\.timeZone: /],
    ['a target naming two people', ['{ member: bob, via', '{ member: bob, schedule: primary, via'], 'escalationPolicies[0].levels[2].notify[0]: name exactly one of schedule, member or team (or give only url, with via: [webhook])'],
    ['a url-only target that also pages', ['{ member: bob, via: [voice, email] }', '{ url: "https://hooks.example.com/page", via: [webhook, sms] }'], 'escalationPolicies[0].levels[2].notify[0]: name exactly one of schedule, member or team (or give only url, with via: [webhook])'],
  ])('refuses %s, naming the key', (_what, [from, to], message) => {
    expect(() => parseConfig(base.replace(from!, to!))).toThrow(message);
  });

  it('accepts a webhook target with only its url: the webhook pages nobody in particular', () => {
    const cfg = parseConfig(base.replace('{ member: bob, via: [voice, email] }', '{ url: "https://hooks.example.com/page", via: [webhook] }'));
    expect(cfg.escalationPolicies[0]!.levels[2]!.notify).toEqual([{ url: 'https://hooks.example.com/page', via: ['webhook'] }]);
  });

  it('refuses overlapping overrides', () => {
    const text = base.replace(
      '- { member: bob, from: "2026-12-05T09:00", to: "2026-12-05T18:00" }',
      '- { member: bob, from: "2026-12-05T09:00", to: "2026-12-05T18:00" }\n      - { member: alice, from: "2026-12-05T17:00", to: "2026-12-05T20:00" }',
    );
    expect(() => parseConfig(text)).toThrow('schedules[0].overrides[1]: overlaps overrides[0]');
  });

  it('takes round-robin on a team, among on-call by default, and refuses it where nobody could ever be named', () => {
    const rr = (among: string) => base.replace('schedule: primary, escalationPolicy: critical }', `schedule: primary, escalationPolicy: critical, assign: { mode: round-robin${among} } }`);
    expect(parseConfig(rr('')).teams[0]!.assign).toEqual({ mode: 'round-robin', among: 'on-call' });
    expect(parseConfig(rr(', among: team')).teams[0]!.assign).toEqual({ mode: 'round-robin', among: 'team' });
    expect(() => parseConfig(rr(', among: everyone'))).toThrow('teams[0].assign.among: Invalid option');
    const offSchedule = rr('').replace('members: [alice, bob], schedule', 'members: [carol], schedule').replace('  - { id: bob, name: Bob }', '  - { id: bob, name: Bob }\n  - { id: carol, name: Carol, paused: true }');
    expect(() => parseConfig(offSchedule)).toThrow("teams[0].assign.among: on-call: none of the team's members is on a schedule (use among: team)");
  });
});
