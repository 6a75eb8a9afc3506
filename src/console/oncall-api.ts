import express, { Router } from 'express';
import { z } from 'zod';
import type { OnCallCommands } from '../bot/oncall-commands.js';
import { parseConfigDuration } from '../core/duration.js';
import { HttpError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { parseWith } from '../sources/validate.js';
import type { Viewer } from './auth.js';
import { viewerOf } from './security.js';

const MAX_COVER_MS = 31 * 86_400_000;
const calendarQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(42).default(14) });
const coverBody = z.strictObject({
  member: z.string().min(1).max(200),
  from: z.iso.datetime({ offset: true }).optional(),
  duration: z.string().regex(/^(\d+(ms|s|m|h|d|w))+$/, 'a duration like 8h, 1d, 2d12h'),
});

/**
 * Who is on call: now and next per team (the chat's `oncall`), each schedule's calendar for the
 * coming weeks, and covers (overrides) through the same `OnCallCommands` as the chat's `cover`.
 * A member covers on the schedules of their teams; an admin on any.
 */
export function consoleOnCallApi(rt: Runtime, onCall: OnCallCommands): Router {
  const router = Router();
  const mayCover = (v: Viewer, scheduleId: string): boolean =>
    v.role === 'admin' || onCall.schedulesOfTeams(v.teams).some((s) => s.id === scheduleId);
  const schedule = (id: string) => {
    const s = rt.config.schedules.find((x) => x.id === id);
    if (!s) throw new HttpError(404, `no schedule "${id}"`, 'not_found');
    return s;
  };

  router.get('/console/api/oncall', async (_req, res) => {
    res.json({ teams: await onCall.board() });
  });

  router.get('/console/api/oncall/:schedule/calendar', async (req, res) => {
    const s = schedule(req.params.schedule as string);
    const { days } = parseWith(calendarQuery, req.query);
    res.json({
      schedule: { id: s.id, name: s.name, timeZone: s.timeZone },
      spans: await onCall.calendar(s.id, days),
      mayCover: mayCover(viewerOf(res), s.id),
      members: rt.config.members.map((m) => ({ id: m.id, name: m.name })),
    });
  });

  router.post('/console/api/oncall/:schedule/cover', express.json({ limit: '2kb' }), async (req, res) => {
    const s = schedule(req.params.schedule as string);
    const viewer = viewerOf(res);
    if (!mayCover(viewer, s.id)) throw new HttpError(403, `${viewer.name} is not in a team on schedule "${s.name}"`, 'forbidden');
    const body = parseWith(coverBody, req.body ?? {});
    const member = rt.directory.member(body.member);
    if (!member) throw new HttpError(400, `unknown member "${body.member}"`, 'invalid', 'member');
    const ms = parseConfigDuration(body.duration);
    if (!ms || ms > MAX_COVER_MS) throw new HttpError(400, 'a cover lasts from 1 minute to 31 days', 'invalid', 'duration');
    const from = body.from ? new Date(body.from) : rt.clock.now();
    const to = new Date(from.getTime() + ms);
    if (to <= rt.clock.now()) throw new HttpError(400, 'this cover would be over already', 'invalid', 'from');
    // `by` is who made it, as chat records the asker's member id; an admin without a member is "console".
    await onCall.addCover(s.id, { member: member.id, from, to, by: viewer.memberId ?? 'console' });
    rt.log.info({ schedule: s.id, member: member.id, by: viewer.name, via: 'console', from, to }, 'on-call cover added');
    res.status(201).json({ cover: { schedule: s.id, member: member.id, from, to } });
  });

  return router;
}
