import { describe, expect, it } from 'vitest';
import { PayloadError } from '../../../src/sources/types.js';
import { zabbixParser } from '../../../src/sources/zabbix/parse.js';
import { fixture, payloadErrorField } from './support.js';

const cpuLabels = [
  { name: 'class', value: 'os' },
  { name: 'component', value: 'cpu' },
  { name: 'hostgroup', value: 'Linux servers, Web servers' },
  { name: 'scope', value: 'performance' },
  { name: 'service', value: 'shop' },
  { name: 'target', value: 'linux' },
];
const cpuLinks = [{ text: 'Zabbix event', href: 'https://zabbix.example.com/tr_events.php?triggerid=23178&eventid=5247' }];

const minimal = (over: Record<string, unknown> = {}) => ({ event_id: '100', event_value: '1', trigger_name: 'Disk full', ...over });
const parseOne = (body: unknown) => {
  const events = zabbixParser.parse(body);
  expect(events).toHaveLength(1);
  return events[0]!;
};

describe('zabbix parser', () => {
  it('maps a problem', () => {
    expect(zabbixParser.parse(fixture('zabbix', 'problem.json'))).toEqual([
      {
        eventType: 'trigger',
        dedupKey: '5247',
        title: 'High CPU utilization (over 90% for 5m)',
        severity: 'critical',
        description:
          'Problem started at 12:57:53 on 2024.05.14\r\nProblem name: High CPU utilization (over 90% for 5m)\r\nHost: web-01\r\nSeverity: High\r\nOperational data: Current utilization: 97.3 %\r\nOriginal problem ID: 5247',
        host: 'web-01',
        service: 'shop',
        labels: cpuLabels,
        links: cpuLinks,
        occurredAt: new Date('2024-05-14T12:57:53Z'),
      },
    ]);
  });

  it('maps the recovery to a resolve with the original problem id as key', () => {
    expect(zabbixParser.parse(fixture('zabbix', 'recovery.json'))).toEqual([
      {
        eventType: 'resolve',
        dedupKey: '5247',
        title: 'High CPU utilization (over 90% for 5m)',
        severity: 'critical',
        description:
          'Problem has been resolved at 13:07:53 on 2024.05.14\r\nProblem name: High CPU utilization (over 90% for 5m)\r\nProblem duration: 10m 0s\r\nHost: web-01\r\nSeverity: High\r\nOriginal problem ID: 5247',
        host: 'web-01',
        service: 'shop',
        labels: cpuLabels,
        links: cpuLinks,
        occurredAt: new Date('2024-05-14T13:07:53Z'),
      },
    ]);
  });

  it('keeps a problem update (acknowledgement) a trigger of the same alert', () => {
    const e = parseOne(fixture('zabbix', 'update-acknowledged.json'));
    expect(e.eventType).toBe('trigger');
    expect(e.dedupKey).toBe('5247');
    expect(e.severity).toBe('critical');
    expect(e.links).toEqual(cpuLinks);
  });

  it('maps severity names, repeated and empty tags, unresolved macros and a trigger URL', () => {
    expect(zabbixParser.parse(fixture('zabbix', 'problem-severity-names.json'))).toEqual([
      {
        eventType: 'trigger',
        dedupKey: '88120',
        title: 'MySQL: Service is down',
        severity: 'warning',
        description:
          'Problem started at 03:12:09 on 2024.06.02\r\nProblem name: MySQL: Service is down\r\nHost: db-02\r\nSeverity: Average\r\nOriginal problem ID: 88120',
        host: 'db-02',
        service: undefined,
        labels: [
          { name: 'app.kubernetes.io/name', value: 'mysql' },
          { name: 'component', value: 'application, health' },
          { name: 'hostgroup', value: 'Databases' },
        ],
        // {$ZABBIX.URL} unresolved: no event link; {EVENT.TIMESTAMP} unresolved and
        // {EVENT.DATE} {EVENT.TIME} has no time zone: the receive time will be used.
        links: [{ text: 'Trigger URL', href: 'https://wiki.example.com/runbooks/mysql-down' }],
        occurredAt: undefined,
      },
    ]);
  });

  it('accepts numbers where Zabbix sends strings', () => {
    const e = parseOne({ event_id: 7001, event_value: 1, trigger_severity: 5, trigger_id: 12, zabbix_url: 'http://zbx.local/zabbix/', trigger_name: 'Down' });
    expect(e).toMatchObject({ eventType: 'trigger', dedupKey: '7001', severity: 'critical' });
    expect(e.links).toEqual([{ text: 'Zabbix event', href: 'http://zbx.local/zabbix/tr_events.php?triggerid=12&eventid=7001' }]);
    expect(parseOne({ event_id: 7001, event_value: 0 }).eventType).toBe('resolve');
  });

  it('maps every severity number and name, preferring the number', () => {
    const sev = (trigger_severity?: unknown, severity_name?: unknown) => parseOne(minimal({ trigger_severity, severity_name })).severity;
    expect([5, 4, 3, 2, 1, 0].map((n) => sev(String(n)))).toEqual(['critical', 'critical', 'warning', 'warning', 'info', 'info']);
    expect(['Disaster', 'High', 'Average', 'Warning', 'Information', 'Not classified'].map((n) => sev(undefined, n))).toEqual([
      'critical',
      'critical',
      'warning',
      'warning',
      'info',
      'info',
    ]);
    expect(sev('DISASTER')).toBe('critical');
    expect(sev('2', 'Disaster')).toBe('warning');
    expect(sev('{EVENT.NSEVERITY}', 'High')).toBe('critical');
    expect(sev(undefined, 'Sev-A (renamed)')).toBe('warning');
    expect(sev('9')).toBe('warning');
    expect(sev('constructor')).toBe('warning');
    expect(sev()).toBe('warning');
  });

  it('reads {EVENT.TAGSJSON} sent as text and ignores it unresolved', () => {
    const tags = JSON.stringify([{ tag: 'scope', value: 'availability' }, { tag: 'n', value: 3 }]);
    expect(parseOne(minimal({ event_tags: tags })).labels).toEqual([
      { name: 'n', value: '3' },
      { name: 'scope', value: 'availability' },
    ]);
    expect(parseOne(minimal({ event_tags: '{EVENT.TAGSJSON}' })).labels).toEqual([]);
    expect(parseOne(minimal({ event_tags: '' })).labels).toEqual([]);
    expect(parseOne(minimal({ event_tags: [] })).labels).toEqual([]);
  });

  it('uses the UNIX timestamps, or an ISO time with offset, and never makes an invalid date', () => {
    expect(parseOne(minimal({ event_timestamp: '1715691473' })).occurredAt).toEqual(new Date('2024-05-14T12:57:53Z'));
    expect(parseOne(minimal({ event_time: '2024-05-14T20:57:53+08:00' })).occurredAt).toEqual(new Date('2024-05-14T12:57:53Z'));
    expect(parseOne(minimal({ event_time: '2024.05.14 12:57:53' })).occurredAt).toBeUndefined();
    expect(parseOne(minimal({ event_timestamp: 'soon', event_time: 'later' })).occurredAt).toBeUndefined();
    expect(parseOne(minimal({ event_timestamp: '0' })).occurredAt).toBeUndefined();
    // a recovery takes the recovery time, not the problem time
    expect(parseOne(minimal({ event_value: '0', event_timestamp: '1715691473', recovery_timestamp: '1715692073' })).occurredAt).toEqual(
      new Date('2024-05-14T13:07:53Z'),
    );
  });

  it('falls back to the subject, then the event id, for the title and to the IP for the host', () => {
    expect(parseOne({ event_id: '1', event_value: '1', subject: 'Problem: X', host_ip: '10.0.0.1' })).toMatchObject({
      title: 'Problem: X',
      host: '10.0.0.1',
    });
    expect(parseOne({ event_id: '1', event_value: '1', trigger_name: '{EVENT.NAME}' }).title).toBe('Zabbix event 1');
  });

  it('drops links that are not http(s)', () => {
    const e = parseOne(minimal({ trigger_url: 'javascript:alert(1)', zabbix_url: 'ftp://zbx', trigger_id: '5' }));
    expect(e.links).toEqual([]);
  });

  it('refuses bad payloads naming the field', () => {
    expect(payloadErrorField(() => zabbixParser.parse([minimal()]))).toBe('');
    expect(payloadErrorField(() => zabbixParser.parse('event_id=1'))).toBe('');
    expect(payloadErrorField(() => zabbixParser.parse({}))).toBe('event_id');
    expect(payloadErrorField(() => zabbixParser.parse(minimal({ event_id: undefined })))).toBe('event_id');
    expect(payloadErrorField(() => zabbixParser.parse(minimal({ event_id: '{EVENT.ID}' })))).toBe('event_id');
    expect(payloadErrorField(() => zabbixParser.parse(minimal({ event_id: { id: 1 } })))).toBe('event_id');
    expect(payloadErrorField(() => zabbixParser.parse(minimal({ event_value: undefined })))).toBe('event_value');
    expect(payloadErrorField(() => zabbixParser.parse(minimal({ event_value: '2' })))).toBe('event_value');
    expect(payloadErrorField(() => zabbixParser.parse(minimal({ event_value: '{EVENT.VALUE}' })))).toBe('event_value');
    expect(payloadErrorField(() => zabbixParser.parse(minimal({ host_name: { name: 'x' } })))).toBe('host_name');
    expect(payloadErrorField(() => zabbixParser.parse(minimal({ event_tags: 'scope:availability' })))).toBe('event_tags');
    expect(payloadErrorField(() => zabbixParser.parse(minimal({ event_tags: [{ value: 'x' }] })))).toBe('event_tags[0].tag');
    expect(() => zabbixParser.parse(null)).toThrow(new PayloadError('', 'expected a JSON object'));
    expect(() => zabbixParser.parse(minimal({ event_value: '2' }))).toThrow('event_value: expected 1 (problem) or 0 (recovery) ({EVENT.VALUE})');
  });
});
