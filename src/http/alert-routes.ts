import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Alert } from '../core/alert.js';
import type { Actor, AlertAction, AlertState } from '../core/types.js';
import type { Member } from '../config/schema.js';
import { applyAction } from '../actions/apply.js';
import type { Runtime } from '../runtime.js';
import { parseWith } from '../sources/validate.js';
import { authenticateMember } from './auth.js';
import { HttpError } from './errors.js';
import { sourceTimesText } from '../bot/render-card.js';
import { texts } from '../bot/i18n.js';

/** The list's query, shared with the console's list (src/console/alert-api.ts). */
export const listQuery = z.strictObject({
  status: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['triggered', 'acknowledged', 'resolved', 'open']))) 
    .optional(),
  team: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^[0-9a-f]{24}$/, 'a cursor from a previous page').optional(),
});

export const actionBodies = {
  claim: z.strictObject({}),
  resolve: z.strictObject({ note: z.string().max(2000).optional() }),
  reassign: z.strictObject({ to: z.string().min(1), reason: z.string().max(2000).optional() }),
  escalate: z.strictObject({ reason: z.string().max(2000).optional() }),
} as const;
export type ActionName = keyof typeof actionBodies;

/** The REST API for people and scripts, authenticated by a member's `apiToken`. */
export function alertRoutes(rt: Runtime): Router {
  const router = Router();
  const json = express.json({ limit: '64kb', type: () => true });

  router.use('/api/v1/alerts', (req, res, next) => {
    res.locals.member = authenticateMember(req, rt.directory);
    next();
  });

  router.get('/api/v1/alerts', async (req, res) => {
    const q = parseWith(listQuery, req.query);
    const states = statesOf(q.status);
    const alerts = await rt.alerts.list({ states, team: q.team, limit: q.limit, cursor: q.cursor });
    res.json({ alerts: alerts.map(view), nextCursor: alerts.length === q.limit ? alerts.at(-1)!.id : null });
  });

  router.get('/api/v1/alerts/:id', async (req, res) => {
    const alert = await found(rt, req.params.id as string);
    const times = sourceTimesText(alert, texts(rt.config.locale), { now: rt.clock.now(), timeZone: rt.config.timeZone });
    res.json({ alert: { ...view(alert), ...(times ? { times } : {}) }, timeline: await rt.alerts.timeline(alert.id) });
  });

  router.post('/api/v1/alerts/:id/:action', json, async (req: Request, res: Response) => {
    const name = req.params.action as string;
    if (!(name in actionBodies)) throw new HttpError(404, `unknown action "${name}"; use claim, resolve, reassign or escalate`);
    const body = parseWith(actionBodies[name as ActionName], req.body ?? {});
    const member = res.locals.member as Member;
    const action = toAction(rt, name as ActionName, body as Record<string, string | undefined>);
    const actor: Actor = { kind: 'member', memberId: member.id, name: member.name, via: 'rest' };
    const r = await applyAction(rt, req.params.id as string, action, actor);
    if (!r.ok) throw new HttpError(r.status, r.reason, r.status === 409 ? 'conflict' : 'not_found');
    res.json({ alert: view(r.alert) });
  });

  return router;
}

export function toAction(rt: Pick<Runtime, 'directory'>, name: ActionName, body: Record<string, string | undefined>): AlertAction {
  switch (name) {
    case 'claim':
      return { kind: 'claim' };
    case 'resolve':
      return { kind: 'resolve', note: body.note };
    case 'escalate':
      return { kind: 'escalate', reason: body.reason };
    case 'reassign': {
      const to = rt.directory.member(body.to!);
      if (!to) throw new HttpError(400, `unknown member "${body.to}"`, 'invalid', 'to');
      return { kind: 'reassign', to: { memberId: to.id, name: to.name }, reason: body.reason };
    }
  }
}

/** `open` is the two open states; no filter is every state. */
export function statesOf(status: string[] | undefined): AlertState[] | undefined {
  return status?.flatMap((s) => (s === 'open' ? (['triggered', 'acknowledged'] as AlertState[]) : [s as AlertState]));
}

async function found(rt: Runtime, ref: string): Promise<Alert> {
  const alert = await rt.alerts.get(ref);
  if (!alert) throw new HttpError(404, `no alert ${ref}`, 'not_found');
  return alert;
}

/** The REST shape of an alert: the domain object with its short id spelled as people say it. */
export function view(a: Alert): Alert & { ref: string } {
  return { ...a, ref: `#${a.shortId}` };
}
