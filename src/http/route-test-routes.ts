import express, { Router } from 'express';
import { z } from 'zod';
import { previewRouting } from '../ingest/route-preview.js';
import type { Runtime } from '../runtime.js';
import { parseWith } from '../sources/validate.js';
import { authenticateMember } from './auth.js';
import { HttpError } from './errors.js';

export const routeTestBody = z
  .strictObject({
    /** The integration the payload would come through (its name in the config). */
    integration: z.string().min(1),
    /** A payload in the integration's own format (an Alertmanager webhook, a Zabbix media-type body…). */
    payload: z.unknown().optional(),
    /** Or one event in dutybot's REST format; eventType and dedupKey may be left out. */
    event: z.record(z.string(), z.unknown()).optional(),
    /** When it would arrive (time windows and calendars); now by default. */
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((b) => (b.payload === undefined) !== (b.event === undefined), { message: 'send either "payload" or "event"' });

/**
 * `POST /api/v1/routes/test`: which rule would take this alert, and why each rule did or did not.
 * Creates nothing. Members only (their `apiToken`), like the alert API.
 */
export function routeTestRoutes(rt: Runtime): Router {
  const router = Router();
  router.post('/api/v1/routes/test', (req, res, next) => {
    res.locals.member = authenticateMember(req, rt.directory);
    next();
  }, express.json({ limit: '1mb', type: () => true }), (req, res) => {
    res.json(routeTest(rt, parseWith(routeTestBody, req.body ?? {})));
  });
  return router;
}

/** The answer of a route test (REST and the console): nothing is stored or sent. */
export function routeTest(rt: Pick<Runtime, 'config' | 'clock' | 'directory' | 'dispatcher'>, b: z.output<typeof routeTestBody>) {
  const integration = rt.config.integrations.find((i) => i.name === b.integration);
  if (!integration) {
    const known = rt.config.integrations.map((i) => i.name).join(', ') || 'none configured';
    throw new HttpError(400, `unknown integration "${b.integration}" (known: ${known})`, 'invalid', 'integration');
  }
  const at = b.at ? new Date(b.at) : rt.clock.now();
  const input = b.event !== undefined ? { event: b.event } : { payload: b.payload };
  return { integration: integration.name, at: at.toISOString(), events: previewRouting(rt.directory, rt.dispatcher, integration, input, at) };
}
