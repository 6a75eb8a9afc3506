import express, { Router } from 'express';
import { z } from 'zod';
import type { CoverRemover, OnCallCommands } from '../bot/oncall-commands.js';
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
 * coming weeks, and covers (overrides) through the same `OnCallCommands` as the chat's `cover`,
 * `overrides` and `override remove`. A member covers on the schedules of their teams, an admin on
 * any; a cover is removed by whom chat allows (its person, who arranged it, a team admin) and by a
 * console admin. Both are on the on-call audit trail with `via: console`.
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
    const viewer = viewerOf(res);
    const name = (id?: string) => (id ? (rt.directory.member(id)?.name ?? id) : undefined);
    res.json({
      schedule: { id: s.id, name: s.name, timeZone: s.timeZone },
      spans: await onCall.calendar(s.id, days),
      covers: (await onCall.covers(s.id)).map((o) => ({
        id: o.id,
        member: o.member,
        name: name(o.member),
        from: o.from,
        to: o.to,
        ...(o.by ? { by: o.by, byName: name(o.by) } : {}),
        mayRemove: onCall.mayRemoveCover(remover(viewer), s.id, o),
      })),
      mayCover: mayCover(viewer, s.id),
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
    await onCall.addCover(s.id, { member: member.id, from, to, by: viewer.memberId ?? 'console', via: 'console' });
    rt.log.info({ schedule: s.id, member: member.id, by: viewer.name, via: 'console', from, to }, 'on-call cover added');
    res.status(201).json({ cover: { schedule: s.id, member: member.id, from, to } });
  });

  router.post('/console/api/oncall/:schedule/covers/:id/remove', async (req, res) => {
    const s = schedule(req.params.schedule as string);
    const id = String(req.params.id).toLowerCase();
    const viewer = viewerOf(res);
    const r = /^[0-9a-z]{1,12}$/.test(id) ? await onCall.removeCover(s.id, id, { ...remover(viewer), via: 'console' }) : { kind: 'missing' as const };
    if (r.kind === 'missing') throw new HttpError(404, `no cover "${id}" on schedule "${s.name}"`, 'not_found');
    if (r.kind === 'forbidden') throw new HttpError(403, `only the person covering, who arranged it, or an admin of the team may remove this cover`, 'forbidden');
    rt.log.info({ schedule: s.id, cover: id, by: viewer.name, via: 'console' }, 'on-call cover removed');
    res.json({ removed: { schedule: s.id, id, member: r.cover.member, from: r.cover.from, to: r.cover.to } });
  });

  return router;
}

const remover = (v: Viewer): CoverRemover => ({ ...(v.memberId ? { memberId: v.memberId } : {}), admin: v.role === 'admin' });
