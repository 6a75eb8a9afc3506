import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per running app (tests start many apps in one process). */
export class Metrics {
  readonly registry = new Registry();
  readonly accepted = new Counter({
    name: 'dutybot_events_accepted_total',
    help: 'Events accepted and stored, by source',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'dutybot_events_rejected_total',
    help: 'Ingestion requests refused, by source and reason',
    labelNames: ['source', 'reason'] as const,
    registers: [this.registry],
  });
  readonly ingestSeconds = new Histogram({
    name: 'dutybot_ingest_duration_seconds',
    help: 'Time from request to answer on the ingestion routes',
    labelNames: ['source'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly chatSends = new Counter({
    name: 'dutybot_chat_messages_total',
    help: 'Card posts and edits sent to chat platforms, by platform, operation and result (sent, retry, failed)',
    labelNames: ['platform', 'op', 'result'] as const,
    registers: [this.registry],
  });
  readonly notifySends = new Counter({
    name: 'dutybot_notify_messages_total',
    help: 'Outbox messages handled, by channel (dm, sms, voice, email, webhook), provider and result (sent, retry, failed, cancelled)',
    labelNames: ['channel', 'provider', 'result'] as const,
    registers: [this.registry],
  });
  readonly notifySeconds = new Histogram({
    name: 'dutybot_notify_send_duration_seconds',
    help: 'Time of one provider call, by channel and provider',
    labelNames: ['channel', 'provider'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly openAlerts: Gauge<'state'>;

  constructor(countOpen: () => Promise<Record<string, number>>) {
    const registry = this.registry;
    this.openAlerts = new Gauge({
      name: 'dutybot_open_alerts',
      help: 'Alerts not yet resolved, by state',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        const counts = await countOpen().catch(() => null);
        if (!counts) return;
        for (const state of ['triggered', 'acknowledged']) this.set({ state }, counts[state] ?? 0);
      },
    });
    collectDefaultMetrics({ register: registry, prefix: 'dutybot_' });
  }
}
