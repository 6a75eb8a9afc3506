import { describe, expect, it } from 'vitest';
import { ALERTMANAGER_SEVERITY_MAP, alertmanagerParser } from '../../../src/sources/alertmanager/parse.js';
import { PayloadError } from '../../../src/sources/types.js';
import { fixture, payloadErrorField } from './support.js';

const alert = (over: Record<string, unknown> = {}) => ({
  status: 'firing',
  labels: { alertname: 'Test', instance: 'localhost:9090', job: 'prometheus' },
  annotations: {},
  startsAt: '2018-08-03T09:52:26.739266876+02:00',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://example.com:9090/graph?g0.expr=up+%3D%3D+0',
  fingerprint: 'abcdef0123456789',
  ...over,
});
const body = (...alerts: unknown[]) => ({ version: '4', groupKey: '{}:{}', status: 'firing', receiver: 'dutybot', alerts });

describe('alertmanager parser', () => {
  it('maps a firing batch to one trigger per alert', () => {
    const events = alertmanagerParser.parse(fixture('alertmanager', 'firing.json'));
    expect(events).toEqual([
      {
        eventType: 'trigger',
        dedupKey: '7e5d1c5f0a3b2e11',
        title: 'Pod is crash looping.',
        severity: 'critical',
        description: 'Pod shop/checkout-7d9f8b6c5d-x2x4q (checkout) is in waiting state (reason: "CrashLoopBackOff").',
        host: '10.2.3.4:8080',
        service: 'kube-state-metrics',
        labels: [
          { name: 'alertname', value: 'KubePodCrashLooping' },
          { name: 'app.kubernetes.io/name', value: 'checkout' },
          { name: 'container', value: 'checkout' },
          { name: 'instance', value: '10.2.3.4:8080' },
          { name: 'job', value: 'kube-state-metrics' },
          { name: 'namespace', value: 'shop' },
          { name: 'pod', value: 'checkout-7d9f8b6c5d-x2x4q' },
          { name: 'severity', value: 'critical' },
        ],
        links: [
          {
            text: 'Source',
            href: 'http://prometheus.example.com:9090/graph?g0.expr=max_over_time%28kube_pod_container_status_waiting_reason%7Breason%3D%22CrashLoopBackOff%22%7D%5B5m%5D%29+%3E%3D+1&g0.tab=1',
          },
          { text: 'Runbook', href: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping' },
          {
            text: 'Dashboard',
            href: 'https://grafana.example.com/d/85a562078cdf77779eaa1add43ccec1e/kubernetes-compute-resources-namespace-pods?var-namespace=shop',
          },
        ],
        occurredAt: new Date('2024-05-14T08:21:06.381Z'),
      },
      {
        eventType: 'trigger',
        dedupKey: 'c0ffee0ddba11f00',
        title: 'HighRequestLatency',
        severity: 'warning',
        description: 'p99 latency is 2.3s on api-1.example.com',
        host: 'api-1.example.com:9100',
        service: 'payments',
        labels: [
          { name: 'alertname', value: 'HighRequestLatency' },
          { name: 'instance', value: 'api-1.example.com:9100' },
          { name: 'job', value: 'api' },
          { name: 'service', value: 'payments' },
          { name: 'severity', value: 'warning' },
        ],
        links: [
          {
            text: 'Source',
            href: 'http://prometheus.example.com:9090/graph?g0.expr=histogram_quantile%280.99%2C+rate%28http_request_duration_seconds_bucket%5B5m%5D%29%29+%3E+1&g0.tab=1',
          },
        ],
        // 10:21:06.381269876+02:00, nanoseconds cut to milliseconds
        occurredAt: new Date('2024-05-14T08:21:06.381Z'),
      },
    ]);
  });

  it('maps a resolved alert to a resolve at endsAt', () => {
    const [e, ...rest] = alertmanagerParser.parse(fixture('alertmanager', 'resolved.json'));
    expect(rest).toEqual([]);
    expect(e).toEqual({
      eventType: 'resolve',
      dedupKey: '1a30ba71cca2921f',
      title: 'BlackBox Probe Failure: https://server.example.org',
      severity: 'critical',
      description: 'Instance https://server.example.org has been down for over 5m. Job: http_checks',
      host: 'https://server.example.org',
      service: 'http_checks',
      labels: [
        { name: 'alertname', value: 'ProbeFailure' },
        { name: 'instance', value: 'https://server.example.org' },
        { name: 'job', value: 'http_checks' },
        { name: 'monitor', value: 'master' },
        { name: 'severity', value: 'page' },
      ],
      links: [{ text: 'Source', href: 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1' }],
      occurredAt: new Date('2023-02-06T13:23:45.828Z'),
    });
  });

  it('computes a stable sha256 key from the labels when the fingerprint is missing', () => {
    const a = alertmanagerParser.parse(body(alert({ fingerprint: undefined, labels: { b: '2', a: '1', 'app.kubernetes.io/name': 'x' } })))[0]!;
    const b = alertmanagerParser.parse(body(alert({ fingerprint: '', labels: { 'app.kubernetes.io/name': 'x', a: '1', b: '2' } })))[0]!;
    const c = alertmanagerParser.parse(body(alert({ fingerprint: null, labels: { a: '1', b: '3', 'app.kubernetes.io/name': 'x' } })))[0]!;
    expect(a.dedupKey).toMatch(/^[0-9a-f]{64}$/);
    expect(b.dedupKey).toBe(a.dedupKey);
    expect(c.dedupKey).not.toBe(a.dedupKey);
  });

  it('maps severities through the declared map, unknown ones to warning', () => {
    const sev = (severity: unknown) =>
      alertmanagerParser.parse(body(alert({ labels: severity === undefined ? { alertname: 'x' } : { alertname: 'x', severity } })))[0]!.severity;
    for (const [label, expected] of Object.entries(ALERTMANAGER_SEVERITY_MAP)) expect(sev(label)).toBe(expected);
    expect(sev('CRITICAL')).toBe('critical');
    expect(sev(' Warn ')).toBe('warning');
    expect(sev('unknown')).toBe('warning');
    expect(sev('constructor')).toBe('warning');
    expect(sev(undefined)).toBe('warning');
  });

  it('treats the zero time and garbage as absent, never as an invalid date', () => {
    const firing = alertmanagerParser.parse(body(alert({ startsAt: '0001-01-01T00:00:00Z' })))[0]!;
    expect(firing.occurredAt).toBeUndefined();
    const resolved = alertmanagerParser.parse(body(alert({ status: 'resolved', endsAt: '0001-01-01T00:00:00Z' })))[0]!;
    expect(resolved.eventType).toBe('resolve');
    expect(resolved.occurredAt).toBeUndefined();
    for (const startsAt of ['yesterday', '2024-13-45T99:00:00Z', '', null, '1715691473']) {
      expect(alertmanagerParser.parse(body(alert({ startsAt })))[0]!.occurredAt).toBeUndefined();
    }
  });

  it('falls back for the title, stringifies odd label values and drops unsafe links', () => {
    const [e] = alertmanagerParser.parse(
      body(
        alert({
          labels: { host: 'db-1', count: 3, flag: true, empty: '' },
          annotations: { runbook_url: 'javascript:alert(1)', grafana: 'https://grafana.example.com/d/x', description: '  \u0000 ' },
          generatorURL: '',
        }),
      ),
    );
    expect(e!.title).toBe('Alertmanager alert');
    expect(e!.host).toBe('db-1');
    expect(e!.service).toBeUndefined();
    expect(e!.description).toBeUndefined();
    expect(e!.labels).toEqual([
      { name: 'count', value: '3' },
      { name: 'flag', value: 'true' },
      { name: 'host', value: 'db-1' },
    ]);
    expect(e!.links).toEqual([{ text: 'Dashboard', href: 'https://grafana.example.com/d/x' }]);
  });

  it('cleans NUL and surrounding space out of strings', () => {
    const [e] = alertmanagerParser.parse(body(alert({ annotations: { summary: ' Disk\u0000 full ', description: 'a\u0000b' } })));
    expect(e!.title).toBe('Disk full');
    expect(e!.description).toBe('ab');
  });

  it('ignores fields Alertmanager may add', () => {
    const events = alertmanagerParser.parse({ ...body(alert({ newField: 1 })), truncatedAlerts: 3, somethingNew: { x: 1 } });
    expect(events).toHaveLength(1);
  });

  it('refuses bad payloads naming the field', () => {
    expect(payloadErrorField(() => alertmanagerParser.parse([]))).toBe('');
    expect(payloadErrorField(() => alertmanagerParser.parse(null))).toBe('');
    expect(payloadErrorField(() => alertmanagerParser.parse('alerts'))).toBe('');
    expect(payloadErrorField(() => alertmanagerParser.parse({}))).toBe('alerts');
    expect(payloadErrorField(() => alertmanagerParser.parse({ alerts: [] }))).toBe('alerts');
    expect(payloadErrorField(() => alertmanagerParser.parse({ alerts: {} }))).toBe('alerts');
    expect(payloadErrorField(() => alertmanagerParser.parse(body(5)))).toBe('alerts[0]');
    expect(payloadErrorField(() => alertmanagerParser.parse(body(alert(), alert({ status: 'pending' }))))).toBe('alerts[1].status');
    expect(payloadErrorField(() => alertmanagerParser.parse(body(alert({ labels: undefined }))))).toBe('alerts[0].labels');
    expect(payloadErrorField(() => alertmanagerParser.parse(body(alert({ labels: ['a'] }))))).toBe('alerts[0].labels');
    expect(payloadErrorField(() => alertmanagerParser.parse(body(alert({ startsAt: 17 }))))).toBe('alerts[0].startsAt');
    expect(() => alertmanagerParser.parse([])).toThrow(new PayloadError('', 'expected a JSON object'));
  });
});
