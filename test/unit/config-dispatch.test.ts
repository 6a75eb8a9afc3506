import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load.js';

const base = `
integrations:
  - { name: prom, type: alertmanager, key: "0123456789abcdef0", team: ops }
teams:
  - { id: ops, name: Ops }
  - { id: dev, name: Dev }
hostGroups:
  databases: [db-*, "/^mysql-\\\\d+$/"]
calendars:
  cn-2027: { holidays: [2027-10-01], workdays: [2027-10-09] }
escalationPolicies:
  - { id: ops-default, levels: [{ after: 0s, notify: [{ team: ops, via: [chat] }] }] }
routes:
  - name: databases
    match: { hostGroup: [databases], labels: ['service=~"mysql|postgres"'], time: { calendar: cn-2027, workingDays: true } }
    teams: [ops]
    escalationPolicy: ops-default
  - { name: default, teams: [dev] }
`;
const broken = (from: string, to: string) => () => parseConfig(base.replace(from, to), {});

describe('config: dispatch', () => {
  it('accepts routes, host groups and calendars', () => {
    const cfg = parseConfig(base, {});
    expect(cfg.routes.map((r) => r.name)).toEqual(['databases', 'default']);
    expect(cfg.routes[1]).toMatchObject({ channels: [], continue: false });
  });

  it('names a route’s unknown team, policy, host group and calendar by path', () => {
    expect(broken('teams: [dev]', 'teams: [devs]')).toThrow(new ConfigError('routes[1].teams[0]: unknown team "devs"'));
    expect(broken('escalationPolicy: ops-default', 'escalationPolicy: ops-night')).toThrow(
      'routes[0].escalationPolicy: unknown escalation policy "ops-night"',
    );
    expect(broken('hostGroup: [databases]', 'hostGroup: [dbs]')).toThrow('routes[0].match.hostGroup[0]: unknown host group "dbs"');
    expect(broken('calendar: cn-2027,', 'calendar: cn-2026,')).toThrow('routes[0].match.time.calendar: unknown calendar "cn-2026"');
  });

  it('names a malformed label matcher and a regex that does not compile', () => {
    expect(broken(`'service=~"mysql|postgres"'`, `'service: mysql'`)).toThrow(
      /^routes\[0\]\.match\.labels\[0\]: "service: mysql" is not a label matcher like env="prod"/,
    );
    expect(broken(`'service=~"mysql|postgres"'`, `'service=~"(mysql"'`)).toThrow(/^routes\[0\]\.match\.labels\[0\]: .*the regex does not compile/);
    expect(broken('{ name: default, teams: [dev] }', '{ name: default, match: { title: "[oops" }, teams: [dev] }')).toThrow(
      /^routes\[1\]\.match\.title: the regex does not compile/,
    );
    expect(broken('"/^mysql-\\\\d+$/"', '"/^mysql-(\\\\d+$/"')).toThrow(/^hostGroups\.databases\[1\]: \/\^mysql-\(\\d\+\$\/: the regex does not compile/);
  });

  it('refuses a duplicate route name, an empty window and a bad calendar date', () => {
    expect(broken('name: default', 'name: databases')).toThrow('routes[1].name: duplicate route name "databases" (same as routes[0])');
    expect(broken('workingDays: true', 'from: "09:00", to: "09:00"')).toThrow(/^routes\[0\]\.match\.time: from and to are both 09:00/);
    expect(broken('holidays: [2027-10-01]', 'holidays: [2027-02-30]')).toThrow('calendars.cn-2027.holidays[0]: 2027-02-30 is not a date');
    expect(broken('workdays: [2027-10-09]', 'workdays: [2027-10-01]')).toThrow('calendars.cn-2027.workdays[0]: 2027-10-01 is also listed as a holiday');
  });

  it('refuses an unknown matcher key and a bad time zone with their paths', () => {
    expect(broken('hostGroup: [databases]', 'hostgroup: [databases]')).toThrow('routes[0].match: unknown key "hostgroup"');
    expect(broken('workingDays: true', 'workingDays: true, timeZone: Asia/Beijing')).toThrow(/^routes\[0\]\.match\.time\.timeZone: an IANA time zone/);
  });
});
