import { Router } from 'express';
import type { AnalyticsService } from '../analytics/service.js';
import { analyticsAnswer } from '../http/analytics-routes.js';
import type { Runtime } from '../runtime.js';

/**
 * The analytics page's data: the REST API's very handler (`GET /api/v1/analytics`, same query,
 * same figures, same CSV with `format=csv`) behind the console's session instead of an `apiToken`.
 * Like the REST API, any signed-in member sees every team's figures.
 */
export function consoleAnalyticsApi(rt: Pick<Runtime, 'directory' | 'clock'>, analytics: AnalyticsService): Router {
  const router = Router();
  router.get('/console/api/analytics', analyticsAnswer({ directory: rt.directory, clock: rt.clock, analytics }));
  return router;
}
