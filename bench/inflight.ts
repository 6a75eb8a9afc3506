import type { Server } from 'node:http';
import type { Metrics } from '../src/http/metrics.js';

/**
 * How many ingestion requests dutybot is still working on. When the load generator stops, the
 * server goes on with the requests it already has; measuring the next thing before those are
 * done would charge it with their work. Started = requests seen on the ingestion paths;
 * finished = observations of dutybot_ingest_duration_seconds (made on every answer, 2xx or not).
 */
export class IngestInFlight {
  private started = 0;

  constructor(
    server: Server,
    private readonly metrics: Metrics,
  ) {
    server.on('request', (req: { url?: string }) => {
      if (req.url?.startsWith('/api/v1/events') || req.url?.startsWith('/api/v1/webhooks/')) this.started++;
    });
  }

  async count(): Promise<number> {
    const h = await this.metrics.ingestSeconds.get();
    const finished = h.values.filter((v) => v.metricName?.endsWith('_count')).reduce((s, v) => s + v.value, 0);
    return this.started - finished;
  }

  /** Events stored so far (dutybot_events_accepted_total, all sources). */
  async accepted(): Promise<number> {
    const c = await this.metrics.accepted.get();
    return c.values.reduce((s, v) => s + v.value, 0);
  }

  /** Waits until nothing is in flight; returns how long that took (ms) and what was left at the deadline. */
  async drain(timeoutMs = 180_000): Promise<{ ms: number; left: number }> {
    const t0 = Date.now();
    for (;;) {
      const left = await this.count();
      if (left <= 0 || Date.now() - t0 > timeoutMs) return { ms: Date.now() - t0, left: Math.max(0, left) };
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
