import express, { Router } from 'express';
import { z } from 'zod';
import { matchersSchema, type Matchers, type Member } from '../config/schema.js';
import { parseConfigDuration } from '../core/duration.js';
import { addMatcherWord } from '../bot/maintenance-args.js';
import { MaintenanceError, type Maintenance } from '../jobs/maintenance-window.js';
import type { Runtime } from '../runtime.js';
import { parseWith } from '../sources/validate.js';
import { authenticateMember } from './auth.js';
import { HttpError } from './errors.js';

/** REST windows may be longer than chat's 7 days, but not unbounded. */
const MAX_REST_WINDOW_MS = 90 * 86_400_000;

export const createBody = z.strictObject({
  /** The routes' matchers, as in the config. */
  match: matchersSchema.optional(),
  /** Or the chat form: `host=db-1 hostgroup=mysql`. */
  matchers: z.string().min(1).max(1000).optional(),
  all: z.boolean().default(false),
  startsAt: z.iso.datetime({ offset: true }).optional(),
  endsAt: z.iso.datetime({ offset: true }).optional(),
  duration: z.string().regex(/^(\d+(ms|s|m|h|d|w))+$/, 'a duration like 30m, 2h, 1d').optional(),
  reason: z.string().max(500).optional(),
});

/**
 * `/api/v1/maintenance`: GET lists windows not yet ended, POST opens one, DELETE `/:id` ends one
 * early; GET `/:id` is one window with its history, GET `/audit` the latest windows' changes. Member `apiToken` auth, like the alerts API. Bad input is a 4xx that names the field.
 */
export function maintenanceRoutes(rt: Runtime): Router {
  const router = Router();
  const json = express.json({ limit: '64kb', type: () => true });
  const service = (): Maintenance => {
    if (!rt.maintenance) throw new HttpError(503, 'maintenance windows are not running', 'unavailable');
    return rt.maintenance;
  };
  router.use('/api/v1/maintenance', (req, res, next) => {
    res.locals.member = authenticateMember(req, rt.directory);
    next();
  });

  router.get('/api/v1/maintenance', (_req, res) => {
    res.json({ windows: service().list() });
  });

  // The audit trail of the latest windows (`?windows=` how many, newest first; at most 500).
  router.get('/api/v1/maintenance/audit', async (req, res) => {
    const n = req.query.windows === undefined ? 50 : Number(req.query.windows);
    if (!Number.isInteger(n) || n < 1 || n > 500) throw new HttpError(400, 'windows must be a whole number from 1 to 500', 'invalid', 'windows');
    res.json({ changes: await service().audit(n) });
  });

  // One window (ended ones too) with its history: one read by `_id`.
  router.get('/api/v1/maintenance/:id', async (req, res) => {
    const id = req.params.id as string;
    const doc = await service().get(id);
    if (!doc) throw new HttpError(404, `no maintenance window ${id}`, 'not_found');
    res.json({ window: { ...doc, history: doc.history ?? [] } });
  });

  router.post('/api/v1/maintenance', json, async (req, res) => {
    const body = parseWith(createBody, req.body ?? {});
    const member = res.locals.member as Member;
    try {
      const doc = await service().create({
        ...windowOf(body, rt.clock.now()),
        createdBy: { kind: 'member', memberId: member.id, name: member.name, via: 'rest' },
      });
      res.status(201).json({ window: doc });
    } catch (err) {
      if (err instanceof MaintenanceError) throw new HttpError(err.status, err.en, 'invalid');
      throw err;
    }
  });

  router.delete('/api/v1/maintenance/:id', async (req, res) => {
    const member = res.locals.member as Member;
    try {
      const r = await service().end(req.params.id as string, { kind: 'member', memberId: member.id, name: member.name, via: 'rest' });
      res.json({ window: r.doc, fired: r.fired, resolved: r.resolved, released: r.released.map((a) => a.id) });
    } catch (err) {
      if (err instanceof MaintenanceError) throw new HttpError(err.status, err.en, err.status === 404 ? 'not_found' : 'conflict');
      throw err;
    }
  });
  return router;
}

/** The matchers a body names: `match` as in the config, plus the chat form's words (`host=db-1`). */
export function matchOf(body: Pick<z.output<typeof createBody>, 'match' | 'matchers'>): Matchers {
  const match: Matchers = { ...(body.match ?? {}) };
  for (const word of body.matchers?.trim().split(/\s+/) ?? []) {
    if (word.toLowerCase() === 'all') continue;
    const err = addMatcherWord(match, word);
    if (err) throw new HttpError(400, err.en, 'invalid', 'matchers');
  }
  return match;
}

/** A new window from a create body (REST and the console): its matchers, start and end; 400 naming the field. */
export function windowOf(body: z.output<typeof createBody>, now: Date): { match: Matchers; all: boolean; startsAt: Date; endsAt: Date; reason?: string } {
  const match = matchOf(body);
  const startsAt = body.startsAt ? new Date(body.startsAt) : now;
  let endsAt: Date;
  if (body.endsAt) endsAt = new Date(body.endsAt);
  else if (body.duration) endsAt = new Date(startsAt.getTime() + parseConfigDuration(body.duration)!);
  else throw new HttpError(400, 'an end is required: endsAt or duration', 'invalid', 'endsAt');
  if (endsAt.getTime() - startsAt.getTime() > MAX_REST_WINDOW_MS) throw new HttpError(400, 'a window lasts at most 90 days', 'invalid', 'endsAt');
  return { match, all: body.all || /(^|\s)all(\s|$)/i.test(body.matchers ?? ''), startsAt, endsAt, reason: body.reason };
}
