import { Router } from 'express';
import { readiness, type ReadinessCheck } from '../http/health-routes.js';
import { HttpError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { viewerOf } from './security.js';
import type { LiveStreams } from './live.js';

export interface StatusDeps {
  /** The same checks as /readyz: chat adapters, webhooks, the embedded database's supervisor. */
  readiness: ReadinessCheck[];
  live: LiveStreams;
}

/**
 * dutybot's own state for admins: the figures /readyz and /metrics already compute, in one page.
 */
export function consoleStatusApi(rt: Runtime, deps: StatusDeps): Router {
  const router = Router();

  router.get('/console/api/status', async (_req, res) => {
    if (viewerOf(res).role !== 'admin') throw new HttpError(403, "only an admin may see dutybot's status", 'forbidden');
    const [ready, open, stuck] = await Promise.all([readiness(rt, deps.readiness), rt.alerts.countByState(), outboxStuck(rt)]);
    res.json({
      ready,
      openAlerts: { triggered: open.triggered, acknowledged: open.acknowledged },
      outboxStuck: stuck,
      database: rt.database.ferretdb ? 'FerretDB' : 'MongoDB',
      consoles: deps.live.size,
      uptimeSeconds: Math.round(process.uptime()),
      node: process.version,
    });
  });

  return router;
}

/** Outbox messages five minutes past due, per method, as the escalation auditor last counted them. */
async function outboxStuck(rt: Runtime): Promise<Record<string, number> | null> {
  const metric = rt.metrics.registry.getSingleMetric('dutybot_outbox_stuck');
  if (!metric) return null;
  const out: Record<string, number> = {};
  for (const v of (await metric.get()).values) out[String(v.labels.method ?? 'all')] = v.value;
  return out;
}
