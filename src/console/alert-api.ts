import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { applyAction } from '../actions/apply.js';
import type { Snoozer } from '../bot/snooze-command.js';
import type { Alert } from '../core/alert.js';
import { parseConfigDuration } from '../core/duration.js';
import type { Actor, AlertAction } from '../core/types.js';
import { actionBodies, listQuery, statesOf, toAction, view, type ActionName } from '../http/alert-routes.js';
import { HttpError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { parseWith } from '../sources/validate.js';
import { teamTimeZone } from '../analytics/settings.js';
import type { Viewer } from './auth.js';
import { viewerOf } from './security.js';

export interface ConsoleAlertDeps {
  /** Ends a mute on time (an Agenda job in production), as the chat's `mute` does. */
  scheduleUnmute: (alertId: string, until: Date) => Promise<void>;
  /** The escalation engine's ack-timeout snooze; absent, snooze answers 409. */
  snooze?: Snoozer;
}

const duration = z.string().regex(/^(\d+(ms|s|m|h|d|w))+$/, 'a duration like 30m, 1h, 1h30m');
const consoleBodies = {
  ...actionBodies,
  mute: z.strictObject({ duration }),
  unmute: z.strictObject({}),
  snooze: z.strictObject({ duration }),
} as const;
type ConsoleAction = keyof typeof consoleBodies;

const SNOOZE_REFUSALS = {
  'not-claimed': [409, 'the alert is not claimed'],
  'no-ack-timeout': [409, "the alert's escalation policy has no ack timeout"],
  'not-owner': [403, 'only the owner may snooze'],
  'too-long': [400, 'longer than the policy allows'],
} as const;

/** Members act on the alerts of their teams (the alert's, its route's, or a team escalation brought in). */
export function mayAct(viewer: Viewer, alert: Alert): boolean {
  if (viewer.role === 'admin') return true;
  const teams = new Set([alert.team, ...(alert.route?.teams ?? []), ...(alert.escalatedTeams ?? [])]);
  return viewer.teams.some((t) => teams.has(t));
}

/**
 * The console's alert API. Reads are the REST API's reads; every change goes through the same
 * `applyAction` (and snooze) that REST and chat use, with the person and `via: 'console'`.
 */
export function consoleAlertApi(rt: Runtime, deps: ConsoleAlertDeps): Router {
  const router = Router();
  const json = express.json({ limit: '16kb' });

  router.get('/console/api/alerts', async (req, res) => {
    const q = parseWith(listQuery, req.query);
    const alerts = await rt.alerts.list({ states: statesOf(q.status), team: q.team, limit: q.limit, cursor: q.cursor });
    const viewer = viewerOf(res);
    res.json({ alerts: alerts.map((a) => consoleView(rt, viewer, a)), nextCursor: alerts.length === q.limit ? alerts.at(-1)!.id : null });
  });

  router.get('/console/api/alerts/:ref', async (req, res) => {
    const alert = await found(rt, req.params.ref as string);
    res.json({ alert: consoleView(rt, viewerOf(res), alert), timeline: await rt.alerts.timeline(alert.id) });
  });

  router.post('/console/api/alerts/:ref/:action', json, async (req: Request, res: Response) => {
    const name = req.params.action as string;
    if (!Object.hasOwn(consoleBodies, name)) throw new HttpError(404, `unknown action "${name}"`, 'not_found');
    const body = parseWith(consoleBodies[name as ConsoleAction], req.body ?? {}) as Record<string, string | undefined>;
    const viewer = viewerOf(res);
    const alert = await found(rt, req.params.ref as string);
    if (!mayAct(viewer, alert)) throw new HttpError(403, `${viewer.name} is not in team "${alert.team}" of alert #${alert.shortId}`, 'forbidden');
    const actor: Actor = { kind: 'member', ...(viewer.memberId ? { memberId: viewer.memberId } : {}), name: viewer.name, via: 'console' };

    if (name === 'snooze') {
      if (!deps.snooze) throw new HttpError(409, 'escalation is off: nothing to snooze', 'conflict');
      const d = await deps.snooze(alert.id, { memberId: viewer.memberId, name: viewer.name, via: 'console' }, durationMs(body.duration!));
      if (d.ok) return void res.json({ alert: view(d.alert ?? alert), ackDueAt: d.dueAt });
      const [status, text] = SNOOZE_REFUSALS[d.code];
      throw new HttpError(status, text, d.code, d.code === 'too-long' ? 'duration' : undefined);
    }

    const action: AlertAction =
      name === 'mute'
        ? { kind: 'mute', until: new Date(rt.clock.now().getTime() + durationMs(body.duration!)) }
        : name === 'unmute'
          ? { kind: 'unmute' }
          : toAction(rt, name as ActionName, body);
    const r = await applyAction(rt, alert.id, action, actor);
    if (!r.ok) throw new HttpError(r.status, r.reason, r.status === 409 ? 'conflict' : 'not_found');
    if (action.kind === 'mute') await deps.scheduleUnmute(r.alert.id, action.until);
    res.json({ alert: view(r.alert) });
  });

  /** What the reassign form offers, and the team filter's choices. */
  router.get('/console/api/directory', (_req, res) => {
    res.json({
      members: rt.config.members.map((m) => ({ id: m.id, name: m.name })),
      teams: rt.directory.allTeams().map((t) => ({ id: t.id, name: t.name })),
    });
  });

  return router;
}

/**
 * The REST shape plus what the page must not work out itself: whether this viewer may act,
 * whether the mute is still on by dutybot's clock (the browser's clock may be off), and the team's
 * zone (shown beside the viewer's own where they differ).
 */
function consoleView(rt: Pick<Runtime, 'clock' | 'config'>, viewer: Viewer, a: Alert) {
  return { ...view(a), mayAct: mayAct(viewer, a), muted: !!a.mutedUntil && a.mutedUntil > rt.clock.now(), teamTimeZone: teamTimeZone(rt.config, a.team) };
}

function durationMs(text: string): number {
  const ms = parseConfigDuration(text);
  if (!ms) throw new HttpError(400, 'duration must be more than 0', 'invalid', 'duration');
  return ms;
}

async function found(rt: Runtime, ref: string): Promise<Alert> {
  const alert = await rt.alerts.get(ref);
  if (!alert) throw new HttpError(404, `no alert ${ref}`, 'not_found');
  return alert;
}
