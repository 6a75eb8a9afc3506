import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Member } from '../config/schema.js';
import { parseConfigDuration } from '../core/duration.js';
import type { Snoozer } from '../bot/snooze-command.js';
import type { Runtime } from '../runtime.js';
import { parseWith } from '../sources/validate.js';
import { authenticateMember } from './auth.js';
import { HttpError } from './errors.js';

const body = z.strictObject({ duration: z.string().regex(/^(\d+(ms|s|m|h|d|w))+$/, 'a duration like 30m, 1h, 1h30m') });

const REFUSALS = {
  'not-claimed': [409, 'the alert is not claimed'],
  'no-ack-timeout': [409, "the alert's escalation policy has no ack timeout"],
  'not-owner': [403, 'only the owner may snooze'],
  'too-long': [400, 'longer than the policy allows'],
} as const;

/** `POST /api/v1/alerts/:id/snooze {"duration": "30m"}`: the owner pushes the ack timeout out. */
export function snoozeRoutes(rt: Runtime, snooze: Snoozer): Router {
  const router = Router();
  router.post('/api/v1/alerts/:id/snooze', express.json({ limit: '4kb', type: () => true }), async (req: Request, res: Response) => {
    const member: Member = authenticateMember(req, rt.directory);
    const { duration } = parseWith(body, req.body ?? {});
    const ms = parseConfigDuration(duration);
    if (!ms) throw new HttpError(400, 'duration must be more than 0', 'invalid', 'duration');
    const ref = req.params.id as string;
    const d = await snooze(ref, { memberId: member.id, name: member.name, via: 'rest' }, ms);
    if (d.ok) return void res.json({ alert: d.alert ? { ...d.alert, ref: `#${d.alert.shortId}` } : undefined, ackDueAt: d.dueAt });
    if (!d.alert) throw new HttpError(404, `no alert ${ref}`, 'not_found');
    const [status, text] = REFUSALS[d.code];
    const extra = d.code === 'too-long' && d.maxMs ? ` (at most ${Math.round(d.maxMs / 60_000)} min)` : '';
    throw new HttpError(status, text + extra, d.code, d.code === 'too-long' ? 'duration' : undefined);
  });
  return router;
}
