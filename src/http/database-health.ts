import { Counter, Gauge, type Registry } from 'prom-client';
import type { DatabaseHealth, DatabaseState, RestartReason } from '../store/supervisor.js';
import type { ReadinessCheck } from './health-routes.js';

const STATES: readonly DatabaseState[] = ['starting', 'running', 'restarting', 'stopped', 'gave-up'];

/**
 * The supervised database's state on /readyz (`database-process: restarting (attempt…)`) and in
 * /metrics: `dutybot_database_restarts_total` and `dutybot_database_state{state}` (1 for the
 * current state), `reason` = `exited` or `hung`. Read at scrape time from the supervisor; nothing to keep in step.
 */
export function databaseHealth(health: DatabaseHealth, registry: Registry): ReadinessCheck {
  const counted: Record<RestartReason, number> = { exited: 0, hung: 0 };
  const restarts = new Counter({
    name: 'dutybot_database_restarts_total',
    help: 'Restarts of the embedded database server: after it exited unexpectedly, or when it was alive but answered nothing (hung)',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      for (const reason of Object.keys(counted) as RestartReason[]) {
        const n = health.restartsBy[reason];
        this.inc({ reason }, n - counted[reason]);
        counted[reason] = n;
      }
    },
  });
  void restarts;
  new Gauge({
    name: 'dutybot_database_state',
    help: 'State of the embedded database server dutybot supervises (1 = current)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      for (const s of STATES) this.set({ state: s }, health.state === s ? 1 : 0);
    },
  });
  return async () => {
    const exit = health.lastExit ? `; last exit code ${health.lastExit.code ?? 'none'}${health.lastExit.signal ? ` (${health.lastExit.signal})` : ''}` : '';
    const detail =
      health.state === 'gave-up'
        ? (health.giveUpReason ?? 'gave up')
        : `${health.kind} ${health.state}, ${health.restarts} restart${health.restarts === 1 ? '' : 's'}${exit}`;
    return { name: 'database-process', ok: health.state === 'running', detail };
  };
}
