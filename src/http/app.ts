import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Runtime } from '../runtime.js';
import { alertRoutes } from './alert-routes.js';
import { errorHandler } from './errors.js';
import { healthRoutes, type ReadinessCheck } from './health-routes.js';
import { ingestRoutes } from './ingest-routes.js';
import { routeTestRoutes } from './route-test-routes.js';
import { heartbeatRoutes } from './heartbeat-routes.js';
import { maintenanceRoutes } from './maintenance-routes.js';
import { snoozeRoutes } from './snooze-routes.js';
import type { Snoozer } from '../bot/snooze-command.js';
import { onCallRoutes, type OnCallRoutesDeps } from './oncall-routes.js';
import type { IntegrationActivity } from '../store/integration-activity.js';

export interface HttpOptions {
  readiness?: ReadinessCheck[];
  /** Routers added by chat adapters (e.g. /slack/events), mounted before the 404. */
  extraRouters?: express.Router[];
  /** `POST /api/v1/alerts/:id/snooze` (the escalation engine's ack-timeout snooze). */
  snooze?: Snoozer;
  /** The web console (src/console/): its pages and API, and its 404 page for browsers. */
  console?: { router: Router; notFound: RequestHandler };
  /** Calendar feeds and `/api/v1/oncall` (src/http/oncall-routes.ts). */
  onCall?: OnCallRoutesDeps;
  /** Counts of what each integration sent (the console's integrations page). */
  activity?: IntegrationActivity;
}

export function createHttpApp(rt: Runtime, opts: HttpOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(healthRoutes(rt, opts.readiness));
  app.use(ingestRoutes(rt, opts.activity));
  if (opts.snooze) app.use(snoozeRoutes(rt, opts.snooze));
  app.use(alertRoutes(rt));
  app.use(routeTestRoutes(rt));
  app.use(heartbeatRoutes(rt));
  app.use(maintenanceRoutes(rt));
  if (opts.onCall) app.use(onCallRoutes(opts.onCall));
  if (opts.console) app.use(opts.console.router);
  for (const r of opts.extraRouters ?? []) app.use(r);
  if (opts.console) app.use(opts.console.notFound);
  app.use((req, res) => void res.status(404).json({ error: `no route ${req.method} ${req.path}` }));
  app.use(errorHandler(rt.log));
  return app;
}
