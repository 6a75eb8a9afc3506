/**
 * Request bodies for the load generator. They live in their own module because the load
 * generator runs in a child process (bench/load.ts) and builds every body there: a scenario
 * names a body kind and passes plain JSON arguments, never a function.
 *
 * A later scenario adds its kind here.
 */
export interface BodyArgs {
  /** Makes keys unique across runs (warm-up and measurement use different ones). */
  runId: string;
  /** apiDedup: how many dedup keys are cycled through. */
  keys?: number;
  /** alertmanagerBatch: alerts per request. */
  batch?: number;
}

/** n counts requests from 0 within one load-generator run. */
export type BodyMaker = (n: number, args: BodyArgs) => string;

/** POST /api/v1/events, a new dedup key every request: each one opens an alert. */
const apiUnique: BodyMaker = (n, { runId }) =>
  JSON.stringify({
    eventType: 'trigger',
    dedupKey: `bench-${runId}-${n}`,
    title: `Bench alert ${n}`,
    severity: 'warning',
    host: 'bench-host',
    service: 'bench',
    labels: { env: 'bench', run: runId },
  });

/** POST /api/v1/events cycling through a few dedup keys: after the first round, every one is a repeat. */
const apiDedup: BodyMaker = (n, { keys = 8 }) =>
  JSON.stringify({
    eventType: 'trigger',
    dedupKey: `bench-dedup-${n % keys}`,
    title: `Bench repeated alert ${n % keys}`,
    severity: 'warning',
    host: 'bench-host',
    service: 'bench',
    labels: { env: 'bench' },
  });

/** Alertmanager webhook (payload version 4) with `batch` firing alerts, all with new fingerprints. */
const alertmanagerBatch: BodyMaker = (n, { runId, batch = 10 }) => {
  const startsAt = new Date().toISOString();
  const alerts = Array.from({ length: batch }, (_, i) => {
    const labels = { alertname: 'BenchHighLatency', severity: 'critical', instance: `node-${i}:9100`, job: 'bench', run: runId, seq: String(n) };
    return {
      status: 'firing',
      labels,
      annotations: { summary: `Bench latency high on node-${i} (${n})`, description: 'p99 above 500ms for 5m' },
      startsAt,
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
      fingerprint: `${runId}-${n}-${i}`,
    };
  });
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="BenchHighLatency",seq="${n}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'dutybot',
    groupLabels: { alertname: 'BenchHighLatency' },
    commonLabels: { alertname: 'BenchHighLatency', severity: 'critical', job: 'bench' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts,
  });
};

export const bodyMakers = { apiUnique, apiDedup, alertmanagerBatch } satisfies Record<string, BodyMaker>;
export type BodyKind = keyof typeof bodyMakers;
