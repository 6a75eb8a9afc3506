/**
 * An Alertmanager webhook (version 4) of `n` alerts of one group, as Alertmanager sends it when
 * `node_exporter` stops answering on many hosts at once: firing, then the same alerts resolved.
 */
export function alertmanagerBatch(n: number, status: 'firing' | 'resolved', opts: { group?: string; startsAt?: string; endsAt?: string } = {}): unknown {
  const group = opts.group ?? 'NodeDown';
  const startsAt = opts.startsAt ?? '2026-12-05T08:00:00.000Z';
  const alerts = Array.from({ length: n }, (_, i) => {
    const instance = `host-${String(i).padStart(4, '0')}:9100`;
    return {
      status,
      labels: { alertname: group, instance, job: 'node', severity: 'critical' },
      annotations: { summary: `${group} on ${instance}`, description: `node_exporter on ${instance} does not answer` },
      startsAt,
      endsAt: status === 'resolved' ? (opts.endsAt ?? '2026-12-05T08:10:00.000Z') : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.org:9090/graph?g0.expr=up+%3D%3D+0',
      fingerprint: fingerprintOf(group, i),
    };
  });
  return {
    receiver: 'dutybot',
    status,
    alerts,
    groupLabels: { alertname: group },
    commonLabels: { alertname: group, job: 'node', severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.org:9093',
    version: '4',
    groupKey: `{}:{alertname="${group}"}`,
    truncatedAlerts: 0,
  };
}

function fingerprintOf(group: string, i: number): string {
  let h = 0;
  for (const c of group) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return (h.toString(16) + i.toString(16).padStart(8, '0')).padStart(16, '0').slice(-16);
}
