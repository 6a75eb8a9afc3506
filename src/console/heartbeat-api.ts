import express, { Router } from 'express';
import { z } from 'zod';
import { parseDuration } from '../bot/durations.js';
import { HttpError } from '../http/errors.js';
import type { Heartbeats } from '../jobs/heartbeat-types.js';
import type { Runtime } from '../runtime.js';
import { parseWith } from '../sources/validate.js';
import { viewerOf } from './security.js';

const pauseBody = z.strictObject({ duration: z.string().min(1).max(20) });

/**
 * Heartbeats from the console: their state and last ping (the chat's `heartbeats`), and a pause
 * through the same `HeartbeatMonitor.pause` with the same limits as `heartbeat pause` (1 min to
 * 7 days). Admins pause any; a member those of their teams.
 */
export function consoleHeartbeatApi(rt: Runtime): Router {
  const router = Router();
  const monitor = (): Heartbeats => {
    if (!rt.heartbeats) throw new HttpError(503, 'heartbeats are not running', 'unavailable');
    return rt.heartbeats;
  };

  router.get('/console/api/heartbeats', (_req, res) => {
    const viewer = viewerOf(res);
    res.json({
      heartbeats: monitor().list().map((r) => ({
        name: r.spec.name,
        team: r.spec.team,
        state: r.state,
        intervalMs: r.spec.intervalMs,
        lastPingAt: r.doc?.lastPingAt ?? null,
        downAt: r.state === 'down' ? (r.doc?.downAt ?? null) : null,
        pausedUntil: r.state === 'paused' ? (r.doc?.pausedUntil ?? null) : null,
        pausedBy: r.state === 'paused' ? (r.doc?.pausedBy ?? null) : null,
        mayPause: viewer.role === 'admin' || viewer.teams.includes(r.spec.team),
      })),
    });
  });

  router.post('/console/api/heartbeats/:name/pause', express.json({ limit: '2kb' }), async (req, res) => {
    const name = req.params.name as string;
    const spec = monitor().specs.get(name);
    if (!spec) throw new HttpError(404, `no heartbeat named "${name}"`, 'not_found');
    const viewer = viewerOf(res);
    if (viewer.role !== 'admin' && !viewer.teams.includes(spec.team)) throw new HttpError(403, `${viewer.name} is not in team "${spec.team}" of heartbeat "${name}"`, 'forbidden');
    const ms = parseDuration(parseWith(pauseBody, req.body ?? {}).duration);
    if (ms === null) throw new HttpError(400, 'a duration from 1 min to 7 days, like 30m or 2h', 'invalid', 'duration');
    const until = new Date(rt.clock.now().getTime() + ms);
    await monitor().pause(name, until, viewer.name);
    rt.log.info({ heartbeat: name, by: viewer.name, via: 'console', until }, 'heartbeat paused');
    res.json({ heartbeat: name, pausedUntil: until });
  });

  return router;
}
