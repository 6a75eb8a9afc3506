import { Router } from 'express';
import type { Runtime } from '../runtime.js';
import { migrationsApplied } from '../store/migrate.js';
import { withDeadline } from './deadline.js';

const READY_DEADLINE_MS = 5_000;

/** Component states reported by /readyz, e.g. each chat adapter's connection (later issues add them). */
export type ReadinessCheck = () => Promise<{ name: string; ok: boolean; detail?: string }>;

export function healthRoutes(rt: Runtime, extra: ReadinessCheck[] = []): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => void res.json({ ok: true }));
  router.get('/readyz', async (_req, res) => {
    const r = await readiness(rt, extra);
    res.status(r.ok ? 200 : 503).json(r);
  });
  router.get('/metrics', async (_req, res) => {
    res.type(rt.metrics.registry.contentType).send(await rt.metrics.registry.metrics());
  });
  return router;
}

/** The database and every extra check (chat adapters, webhooks, the embedded database): /readyz and the console's status page. */
export async function readiness(rt: Runtime, extra: ReadinessCheck[] = []): Promise<{ ok: boolean; checks: Array<{ name: string; ok: boolean; detail?: string }> }> {
  const checks = await Promise.all([
    (async () => {
      try {
        // A frozen database must not freeze the probe: it answers 503 within the deadline.
        await withDeadline(rt.database.db.command({ ping: 1 }), READY_DEADLINE_MS);
        const migrated = await migrationsApplied(rt.database.db);
        return { name: 'database', ok: migrated, detail: migrated ? 'reachable, migrations applied' : 'migrations pending' };
      } catch (err) {
        return { name: 'database', ok: false, detail: (err as Error).message };
      }
    })(),
    ...extra.map((c) => c().catch((err: Error) => ({ name: 'check', ok: false, detail: err.message }))),
  ]);
  return { ok: checks.every((c) => c.ok), checks };
}
