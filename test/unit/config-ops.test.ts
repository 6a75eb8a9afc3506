import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load.js';

const base = `
integrations:
  - { name: prom, type: alertmanager, key: "0123456789abcdef0", team: ops, watchdog: Watchdog }
teams:
  - { id: ops, name: Ops }
calendars:
  cn-2027: { holidays: [2027-10-01] }
heartbeats:
  - { name: prom-watchdog, integration: prom, interval: 5m, grace: 1m }
  - { name: backup, team: ops, interval: 1h, labels: { service: backup } }
maintenance:
  - { name: patch-tuesday, match: { labels: ['env="staging"'] }, time: { days: [tue], from: "22:00", to: "23:00", calendar: cn-2027 } }
`;
const broken = (from: string, to: string) => () => parseConfig(base.replace(from, to), {});

describe('config: heartbeats and maintenance windows', () => {
  it('accepts heartbeats with defaults and a recurring window', () => {
    const cfg = parseConfig(base, {});
    expect(cfg.heartbeats[1]).toMatchObject({ grace: '0s', severity: 'critical', enabled: true });
    expect(cfg.maintenance[0]!.all).toBe(false);
  });

  it('refuses bad values with their path', () => {
    expect(broken('interval: 1h', 'interval: 5s')).toThrow(new ConfigError('heartbeats[1].interval: 5s is outside 10s…30d'));
    expect(broken('interval: 1h', 'interval: 31d')).toThrow(/heartbeats\[1\]\.interval: 31d is outside/);
    expect(broken('interval: 1h', 'interval: soon')).toThrow(/heartbeats\[1\]\.interval: a duration/);
    expect(broken('team: ops, interval: 1h', 'team: nope, interval: 1h')).toThrow(/heartbeats\[1\]\.team: unknown team "nope"/);
    expect(broken('{ name: backup, team: ops,', '{ name: backup,')).toThrow(/heartbeats\[1\]: name its team/);
    expect(broken('name: backup', 'name: prom-watchdog')).toThrow(/heartbeats\[1\]\.name: duplicate/);
    expect(broken('integration: prom,', 'team: ops,')).toThrow(/integrations\[0\]\.watchdog: no heartbeat names integration "prom"/);
    expect(broken(`match: { labels: ['env="staging"'] }, `, '')).toThrow(/maintenance\[0\]\.match: a window without matchers silences every alert/);
    expect(broken('calendar: cn-2027', 'calendar: cn-2028')).toThrow(/maintenance\[0\]\.time\.calendar: unknown calendar "cn-2028"/);
    expect(broken(`labels: ['env="staging"']`, `labels: ['env=~"("']`)).toThrow(/maintenance\[0\]\.match\.labels\[0\]/);
  });

  it('a window with no matcher is fine when it says all: true', () => {
    expect(() => parseConfig(base.replace(`match: { labels: ['env="staging"'] }, `, 'all: true, '), {})).not.toThrow();
  });
});
