import { describe, expect, it } from 'vitest';
import { grafanaParser } from '../../../src/sources/grafana/parse.js';
import { PayloadError } from '../../../src/sources/types.js';
import { fixture, payloadErrorField } from './support.js';

const memoryLabels = [
  { name: 'alertname', value: 'High memory usage' },
  { name: 'grafana_folder', value: 'Infrastructure' },
  { name: 'instance', value: 'db-1.example.com:9100' },
  { name: 'severity', value: 'critical' },
  { name: 'team', value: 'blue' },
  { name: 'zone', value: 'us-1' },
];
const memoryLinks = [
  { text: 'Source', href: 'https://grafana.example.com/alerting/grafana/1afz29v7z/view?orgId=1' },
  { text: 'Runbook', href: 'https://myrunbook.com/runbook/1234' },
  { text: 'Dashboard', href: 'https://grafana.example.com/d/rYdddlPWk?orgId=1' },
  { text: 'Panel', href: 'https://grafana.example.com/d/rYdddlPWk?orgId=1&viewPanel=3' },
  {
    text: 'Silence',
    href: 'https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DHigh+memory+usage%2Cgrafana_folder%3DInfrastructure%2Cinstance%3Ddb-1.example.com%3A9100%2Cseverity%3Dcritical%2Cteam%3Dblue%2Czone%3Dus-1&orgId=1',
  },
];

describe('grafana parser', () => {
  it('maps a firing notification to one trigger per alert', () => {
    expect(grafanaParser.parse(fixture('grafana', 'firing.json'))).toEqual([
      {
        eventType: 'trigger',
        dedupKey: 'c6eadffa33fcdf37',
        title: 'This alert was triggered for zone us-1',
        severity: 'critical',
        description: 'The system has high memory usage',
        host: 'db-1.example.com:9100',
        service: undefined,
        labels: memoryLabels,
        links: memoryLinks,
        occurredAt: new Date('2021-10-12T07:51:03.157Z'),
      },
      {
        eventType: 'trigger',
        dedupKey: 'bc97ff14869b13e3',
        title: 'High CPU usage',
        severity: 'warning',
        description: undefined,
        host: undefined,
        service: undefined,
        labels: [
          { name: 'alertname', value: 'High CPU usage' },
          { name: 'grafana_folder', value: 'Infrastructure' },
          { name: 'team', value: 'blue' },
          { name: 'zone', value: 'eu-1' },
        ],
        // dashboardURL and panelURL are "" for a rule without a panel
        links: [
          { text: 'Source', href: 'https://grafana.example.com/alerting/grafana/d1rdpdv7k/view?orgId=1' },
          {
            text: 'Silence',
            href: 'https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DHigh+CPU+usage%2Cgrafana_folder%3DInfrastructure%2Cteam%3Dblue%2Czone%3Deu-1&orgId=1',
          },
        ],
        occurredAt: new Date('2021-10-12T07:56:03.157Z'),
      },
    ]);
  });

  it('maps a resolved notification to a resolve at endsAt with the same key', () => {
    expect(grafanaParser.parse(fixture('grafana', 'resolved.json'))).toEqual([
      {
        eventType: 'resolve',
        dedupKey: 'c6eadffa33fcdf37',
        title: 'This alert was triggered for zone us-1',
        severity: 'critical',
        description: 'The system has high memory usage',
        host: 'db-1.example.com:9100',
        service: undefined,
        labels: memoryLabels,
        links: memoryLinks,
        occurredAt: new Date('2021-10-12T08:06:03.157Z'),
      },
    ]);
  });

  it('drops internal __labels__, adds an image link and hashes labels without a fingerprint', () => {
    const alert = {
      status: 'firing',
      labels: { alertname: 'DatasourceNoData', __alert_rule_uid__: 'abc', rulename: 'Disk', severity: 'info' },
      annotations: { summary: '' },
      startsAt: '2024-01-02T03:04:05Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'https://grafana.example.com/alerting/grafana/abc/view',
      imageURL: 'https://grafana.example.com/public/img/attachments/x.png',
      values: null,
    };
    const [e] = grafanaParser.parse({ orgId: 1, status: 'firing', alerts: [alert] });
    expect(e!.labels.map((l) => l.name)).toEqual(['alertname', 'rulename', 'severity']);
    expect(e!.title).toBe('DatasourceNoData');
    expect(e!.severity).toBe('info');
    expect(e!.dedupKey).toMatch(/^[0-9a-f]{64}$/);
    expect(e!.links).toEqual([
      { text: 'Source', href: 'https://grafana.example.com/alerting/grafana/abc/view' },
      { text: 'Image', href: 'https://grafana.example.com/public/img/attachments/x.png' },
    ]);
    expect(e!.occurredAt).toEqual(new Date('2024-01-02T03:04:05Z'));
  });

  it('refuses bad payloads naming the field', () => {
    expect(payloadErrorField(() => grafanaParser.parse([{ alerts: [] }]))).toBe('');
    expect(payloadErrorField(() => grafanaParser.parse(42))).toBe('');
    expect(payloadErrorField(() => grafanaParser.parse({}))).toBe('alerts');
    expect(payloadErrorField(() => grafanaParser.parse({ alerts: [] }))).toBe('alerts');
    expect(payloadErrorField(() => grafanaParser.parse({ alerts: 'x' }))).toBe('alerts');
    expect(payloadErrorField(() => grafanaParser.parse({ alerts: [{ status: 'alerting', labels: {} }] }))).toBe('alerts[0].status');
    expect(payloadErrorField(() => grafanaParser.parse({ alerts: [{ status: 'firing', labels: {}, panelURL: 3 }] }))).toBe('alerts[0].panelURL');
    expect(payloadErrorField(() => grafanaParser.parse({ orgId: 'one', alerts: [{ status: 'firing', labels: {} }] }))).toBe('orgId');
    expect(() => grafanaParser.parse(null)).toThrow(new PayloadError('', 'expected a JSON object'));
  });
});
