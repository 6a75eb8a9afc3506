import express, { Router, type Response } from 'express';
import { z } from 'zod';
import type { Actor } from '../core/types.js';
import { HttpError } from '../http/errors.js';
import { createBody, matchOf, windowOf } from '../http/maintenance-routes.js';
import { describeMatch, MaintenanceError, type Maintenance } from '../jobs/maintenance-window.js';
import type { Runtime } from '../runtime.js';
import { parseWith } from '../sources/validate.js';
import { viewerOf } from './security.js';

const previewBody = z.strictObject({ matchers: z.string().max(1000).default(''), all: z.boolean().default(false) });

/**
 * Maintenance windows from the console: the same `Maintenance` service (and body rules) as
 * `/api/v1/maintenance`, the person recorded with `via: 'console'` on the window's audit trail.
 * Everyone signed in sees the windows; admins open and end them.
 */
export function consoleMaintenanceApi(rt: Runtime): Router {
  const router = Router();
  const json = express.json({ limit: '16kb' });
  const service = (): Maintenance => {
    if (!rt.maintenance) throw new HttpError(503, 'maintenance windows are not running', 'unavailable');
    return rt.maintenance;
  };
  const admin = (res: Response): Actor => {
    const v = viewerOf(res);
    if (v.role !== 'admin') throw new HttpError(403, 'only an admin may open or end maintenance windows from the console', 'forbidden');
    return { kind: 'member', ...(v.memberId ? { memberId: v.memberId } : {}), name: v.name, via: 'console' };
  };
  const refused = (err: unknown): never => {
    if (err instanceof MaintenanceError) throw new HttpError(err.status, err.en, err.status === 404 ? 'not_found' : 'invalid', err.status === 400 ? 'matchers' : undefined);
    throw err;
  };

  router.get('/console/api/maintenance', async (_req, res) => {
    const ended = await service().endedSince(new Date(rt.clock.now().getTime() - 7 * 86_400_000), 20);
    const show = (w: Parameters<typeof describeMatch>[0] & object) => ({ ...w, describe: describeMatch(w) });
    res.json({ windows: service().list().map(show), ended: ended.map(show) });
  });

  // What a window would hold if it began now: asked as the admin types.
  router.post('/console/api/maintenance/preview', json, async (req, res) => {
    admin(res);
    const body = parseWith(previewBody, req.body ?? {});
    const match = matchOf({ matchers: body.matchers });
    const hasMatcher = Object.values(match).some((v) => v !== undefined);
    if (!hasMatcher && !(body.all || /(^|\s)all(\s|$)/i.test(body.matchers))) return void res.json({ alerts: [], needsMatcher: true });
    const alerts = await service().preview(match).catch(refused);
    res.json({ alerts: alerts.map((a) => ({ id: a.id, shortId: a.shortId, title: a.title, host: a.host, service: a.service, team: a.team, state: a.state })) });
  });

  router.post('/console/api/maintenance', json, async (req, res) => {
    const by = admin(res);
    const body = parseWith(createBody, req.body ?? {});
    const doc = await service().create({ ...windowOf(body, rt.clock.now()), createdBy: by }).catch(refused);
    res.status(201).json({ window: doc });
  });

  router.post('/console/api/maintenance/:id/end', async (req, res) => {
    const by = admin(res);
    const r = await service().end(req.params.id as string, by).catch(refused);
    res.json({ window: r.doc, released: r.released.length });
  });

  return router;
}
