import { Router, type Request, type Response } from 'express';
import type { Runtime } from '../runtime.js';
import { presentedSecret } from './auth.js';
import { HttpError } from './errors.js';

/**
 * `POST|GET /api/v1/heartbeats/<name>/ping`, so a cron job can `curl` it. Authenticated by an
 * integration key (`Authorization: Bearer` or `?key=`) of the heartbeat's team (or the integration
 * it names). `GET /api/v1/heartbeats` lists them for the same keys' teams.
 */
export function heartbeatRoutes(rt: Runtime): Router {
  const router = Router();

  const ping = async (req: Request, res: Response) => {
    const monitor = rt.heartbeats;
    const name = req.params.name as string;
    const key = presentedSecret(req);
    if (!key) throw new HttpError(401, 'missing integration key: send "Authorization: Bearer <key>" or ?key=<key>', 'auth');
    const integration = rt.directory.integrationByKey(key);
    if (!integration) throw new HttpError(401, 'unknown integration key', 'auth');
    const spec = monitor?.specs.get(name);
    if (!monitor || !spec) throw new HttpError(404, `unknown heartbeat "${name}"`, 'not_found');
    if (integration.team !== spec.team && integration.name !== spec.integration) {
      throw new HttpError(401, `the key of integration "${integration.name}" (team ${integration.team}) cannot ping heartbeat "${name}" of team ${spec.team}`, 'auth');
    }
    const r = await monitor.ping(name, `ping:${integration.name}`);
    if (!r.ok) throw new HttpError(404, `unknown heartbeat "${name}"`, 'not_found');
    res.json({ heartbeat: name, state: r.state, resolved: r.resolved, at: rt.clock.now().toISOString() });
  };
  router.post('/api/v1/heartbeats/:name/ping', ping);
  router.get('/api/v1/heartbeats/:name/ping', ping);
  return router;
}
