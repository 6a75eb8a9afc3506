import express, { Router } from 'express';
import { routeTest, routeTestBody } from '../http/route-test-routes.js';
import type { Runtime } from '../runtime.js';
import { parseWith } from '../sources/validate.js';

/**
 * The route tester: which rule would take a payload and why each rule did or did not — the same
 * `routeTest` as `POST /api/v1/routes/test` and `dutybot routes test`. Creates nothing.
 */
export function consoleRouteTestApi(rt: Runtime): Router {
  const router = Router();
  router.get('/console/api/routes/integrations', (_req, res) => {
    res.json({ integrations: rt.config.integrations.map((i) => ({ name: i.name, type: i.type, team: i.team })) });
  });
  router.post('/console/api/routes/test', express.json({ limit: '1mb' }), (req, res) => {
    res.json(routeTest(rt, parseWith(routeTestBody, req.body ?? {})));
  });
  return router;
}
