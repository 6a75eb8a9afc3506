import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../log.js';

/**
 * Each outgoing webhook's health: unhealthy after `unhealthyAfter` failed attempts in a row
 * (5xx, timeout, refused, redirect, 4xx), healthy again on the next success. Reported on
 * /metrics (`dutybot_webhook_healthy`, `dutybot_webhook_consecutive_failures`), in /readyz's
 * detail and in the log at each change; the messages themselves stay in the outbox and are
 * retried, never dropped. Kept in memory: a restart starts healthy and learns again.
 */
export class WebhookHealth {
  private readonly failures = new Map<string, { count: number; last?: string }>();

  constructor(
    private readonly thresholds: ReadonlyMap<string, number>,
    private readonly log: Logger,
    registry: Registry,
  ) {
    const self = this;
    new Gauge({
      name: 'dutybot_webhook_healthy',
      help: 'Outgoing webhooks: 1 healthy, 0 after repeated failed deliveries, by webhook name',
      labelNames: ['webhook'] as const,
      registers: [registry],
      collect() {
        for (const name of thresholds.keys()) this.set({ webhook: name }, self.healthy(name) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'dutybot_webhook_consecutive_failures',
      help: 'Outgoing webhooks: failed attempts since the last success, by webhook name',
      labelNames: ['webhook'] as const,
      registers: [registry],
      collect() {
        for (const name of thresholds.keys()) this.set({ webhook: name }, self.failures.get(name)?.count ?? 0);
      },
    });
  }

  healthy(name: string): boolean {
    return (this.failures.get(name)?.count ?? 0) < (this.thresholds.get(name) ?? 3);
  }

  record(name: string, ok: boolean, error?: string): void {
    const was = this.healthy(name);
    if (ok) {
      this.failures.delete(name);
      if (!was) this.log.info({ webhook: name }, 'outgoing webhook healthy again');
      return;
    }
    const f = this.failures.get(name) ?? { count: 0 };
    f.count += 1;
    f.last = error;
    this.failures.set(name, f);
    if (was && !this.healthy(name)) this.log.warn({ webhook: name, failures: f.count, error }, 'outgoing webhook unhealthy: repeated failed deliveries (they are retried)');
  }

  /** One line per webhook for /readyz: `restart-nginx: unhealthy (3 failed attempts in a row, last: http 500)`. */
  describe(): string {
    return [...this.thresholds.keys()]
      .map((name) => {
        const f = this.failures.get(name);
        if (this.healthy(name)) return `${name}: healthy`;
        return `${name}: unhealthy (${f!.count} failed attempts in a row${f!.last ? `, last: ${f!.last}` : ''})`;
      })
      .join('; ');
  }

  unhealthy(): string[] {
    return [...this.thresholds.keys()].filter((n) => !this.healthy(n));
  }
}
