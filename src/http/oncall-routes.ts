import express, { Router } from 'express';
import type { Directory } from '../config/directory.js';
import type { Clock } from '../core/clock.js';
import { nextOnCall, whoIsOnCall, type OverrideSpan } from '../core/oncall.js';
import type { OnCallFeeds } from '../oncall/feeds.js';
import type { Pager } from '../oncall/paging.js';
import type { PageTarget } from '../core/page-policy.js';
import { authenticateMember } from './auth.js';
import { HttpError } from './errors.js';

export interface OnCallRoutesDeps {
  directory: Directory;
  clock: Clock;
  feeds: OnCallFeeds;
  overrides: { forSchedule(scheduleId: string): Promise<OverrideSpan[]> };
  /** `POST /api/v1/page`. */
  pager?: Pager;
}

/**
 * - `GET /calendar/<token>.ics`: a calendar feed; the token is the only credential (calendar apps
 *   send no headers), so an unknown or reset token is a plain 404;
 * - `GET /api/v1/oncall`: who is on call now and next per schedule, with the feed URLs (the
 *   schedules' and the caller's own);
 * - `POST /api/v1/oncall/calendar/reset` `{schedule?}`: a new URL for the caller's feed, or for a
 *   schedule of one of the caller's teams; the old one stops working at once;
 * - `POST /api/v1/page` `{team|member|schedule, message}`: pages on purpose (src/oncall/paging.ts).
 */
export function onCallRoutes(deps: OnCallRoutesDeps): Router {
  const router = Router();
  const json = express.json({ limit: '4kb', type: () => true });
  const dir = deps.directory;

  router.get('/calendar/:file', async (req, res) => {
    const m = /^([A-Za-z0-9_-]+)\.ics$/.exec(req.params.file ?? '');
    const body = m ? await deps.feeds.render(m[1]!) : null;
    if (body === null) throw new HttpError(404, 'no such calendar', 'not_found');
    res.set('content-type', 'text/calendar; charset=utf-8').set('cache-control', 'private, max-age=300').send(body);
  });

  router.get('/api/v1/oncall', async (req, res) => {
    const member = authenticateMember(req, dir);
    const now = deps.clock.now();
    const name = (id?: string) => (id ? (dir.member(id)?.name ?? id) : undefined);
    const schedules = [];
    for (const s of dir.config.schedules) {
      const opts = { extraOverrides: await deps.overrides.forSchedule(s.id), calendars: dir.config.calendars };
      const cur = whoIsOnCall(s, now, opts);
      const next = nextOnCall(s, now, opts);
      schedules.push({
        id: s.id,
        name: s.name,
        timeZone: s.timeZone,
        teams: dir.allTeams().filter((t) => t.schedule === s.id).map((t) => t.id),
        now: cur ? { member: cur.member, name: name(cur.member), override: cur.source === 'override' } : null,
        next: next ? { member: next.member ?? null, name: name(next.member) ?? null, at: next.at.toISOString() } : null,
        feedUrl: await deps.feeds.url({ kind: 'schedule', id: s.id }),
      });
    }
    res.json({ at: now.toISOString(), schedules, me: { member: member.id, feedUrl: await deps.feeds.url({ kind: 'member', id: member.id }) } });
  });

  router.post('/api/v1/oncall/calendar/reset', json, async (req, res) => {
    const member = authenticateMember(req, dir);
    const body = (req.body ?? {}) as { schedule?: unknown };
    if (body.schedule !== undefined && typeof body.schedule !== 'string') throw new HttpError(400, 'schedule must be a schedule id', 'invalid', 'schedule');
    if (body.schedule === undefined) {
      res.json({ feedUrl: await deps.feeds.reset({ kind: 'member', id: member.id }, { by: member.id, via: 'rest' }) });
      return;
    }
    const id = body.schedule;
    if (!dir.config.schedules.some((s) => s.id === id)) throw new HttpError(404, `unknown schedule "${id}"`, 'not_found', 'schedule');
    // A schedule's feed is shared by its team: any member of a team that owns it may renew it.
    if (!dir.allTeams().some((t) => t.schedule === id && t.members.includes(member.id))) {
      throw new HttpError(403, `only members of the team of schedule "${id}" may reset its feed`, 'forbidden', 'schedule');
    }
    res.json({ feedUrl: await deps.feeds.reset({ kind: 'schedule', id }, { by: member.id, via: 'rest' }) });
  });

  router.post('/api/v1/page', json, async (req, res) => {
    const member = authenticateMember(req, dir);
    if (!deps.pager) throw new HttpError(503, 'paging is not running', 'unavailable');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const kinds = (['team', 'member', 'schedule'] as const).filter((k) => body[k] !== undefined);
    if (kinds.length !== 1) throw new HttpError(400, 'name exactly one of team, member or schedule', 'invalid', 'target');
    const kind = kinds[0]!;
    const id = body[kind];
    if (typeof id !== 'string' || !id) throw new HttpError(400, `${kind} must be an id`, 'invalid', kind);
    const exists = kind === 'team' ? !!dir.team(id) : kind === 'member' ? !!dir.member(id) : dir.config.schedules.some((s) => s.id === id);
    if (!exists) throw new HttpError(404, `unknown ${kind} "${id}"`, 'not_found', kind);
    const message = body.message;
    if (typeof message !== 'string' || !message.trim() || message.length > 500) throw new HttpError(400, 'message: 1 to 500 characters', 'invalid', 'message');
    const target: PageTarget = { kind, id };
    const r = await deps.pager.page(target, message.trim(), { memberId: member.id, name: member.name, via: 'rest' });
    res.status(201).json({ alertId: r.alertId, shortId: r.shortId, target });
  });

  return router;
}
