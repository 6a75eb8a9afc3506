import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { SourceType } from '../core/types.js';
import { ingest } from '../ingest/ingest.js';
import { ingestContext } from '../ingest/context.js';
import { splitWatchdog } from '../ingest/watchdog.js';
import type { Runtime } from '../runtime.js';
import { parsers } from '../sources/registry.js';
import type { IntegrationActivity } from '../store/integration-activity.js';
import { authenticateIntegration } from './auth.js';
import { classifyError, HttpError, sendAnswer } from './errors.js';
import { INGEST_DEADLINE_MS, withIdleDeadline } from './deadline.js';

export const MAX_BODY_BYTES = 1024 * 1024;
const WEBHOOK_SOURCES: readonly SourceType[] = ['alertmanager', 'zabbix', 'graylog', 'grafana'];

/**
 * `POST /api/v1/events` (dutybot's own format) and `POST /api/v1/webhooks/<tool>` (each tool's
 * own format). The answer is 2xx only after the event and its alert are stored.
 */
export function ingestRoutes(rt: Runtime, activity?: IntegrationActivity): Router {
  const router = Router();
  // Read as bytes: we keep the exact body for audit, and JSON errors get our own message.
  const body = express.raw({ type: () => true, limit: MAX_BODY_BYTES });

  const handle = (sourceOf: (req: Request) => SourceType) => [
    (req: Request, res: Response, next: NextFunction) => {
      res.locals.started = process.hrtime.bigint();
      res.locals.source = sourceOf(req);
      res.locals.integration = authenticateIntegration(req, rt.directory, res.locals.source);
      next();
    },
    body,
    async (req: Request, res: Response) => {
      const source = res.locals.source as SourceType;
      const integration = res.locals.integration as Runtime['config']['integrations'][number];
      const raw = readJsonText(req);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch (err) {
        throw new HttpError(400, `malformed JSON: ${(err as Error).message}`, 'malformed');
      }
      const { events, watchdog } = splitWatchdog(parsers[source].parse(parsed), integration.watchdog);
      const arrival = { integration: integration.name, source, application: integration.application, team: integration.team };
      const ctx = ingestContext(rt, arrival);
      const now = rt.clock.now();
      const results = await withIdleDeadline((progress) => ingest(rt, ctx, raw, events, now, progress), INGEST_DEADLINE_MS);
      // The Watchdog never becomes a card: its arrival is the ping of this integration's heartbeat.
      if (watchdog) await rt.heartbeats?.pingIntegration(integration.name);
      rt.metrics.accepted.inc({ source }, events.length);
      activity?.accepted(integration.name, events.length, now);
      observe(rt, res);
      sendAccepted(res, source === 'api' ? results[0] : { accepted: events.length, results });
    },
  ];

  router.post('/api/v1/events', ...handle(() => 'api'));
  router.post('/api/v1/webhooks/:source', (req, _res, next) => {
    const s = req.params.source as SourceType;
    if (!WEBHOOK_SOURCES.includes(s)) throw new HttpError(404, `unknown source "${s}"; use one of ${WEBHOOK_SOURCES.join(', ')}`, 'unknown_source');
    next();
  }, ...handle((req) => req.params.source as SourceType));

  router.use('/api/v1/events', rejectAndCount(rt, activity));
  router.use('/api/v1/webhooks', rejectAndCount(rt, activity));
  return router;
}

/**
 * 202 with a JSON body, written directly: `res.json` would also compute an ETag and look up the
 * content type, per request, for an answer no client caches (a storm is thousands a second).
 */
function sendAccepted(res: Response, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(202, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readJsonText(req: Request): string {
  const type = req.get('content-type') ?? '';
  if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpError(400, `content type must be application/json, got "${type || 'none'}"`, 'content_type');
  }
  if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(400, 'empty body: expected a JSON object', 'malformed');
  return req.body.toString('utf8');
}

function observe(rt: Runtime, res: Response): void {
  const started = res.locals.started as bigint | undefined;
  if (started === undefined) return;
  rt.metrics.ingestSeconds.observe({ source: res.locals.source as string }, Number(process.hrtime.bigint() - started) / 1e9);
}

function rejectAndCount(rt: Runtime, activity?: IntegrationActivity) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const a = classifyError(err);
    const source = (res.locals.source as string | undefined) ?? 'unknown';
    rt.metrics.rejected.inc({ source, reason: a.reason });
    // Only a request whose key named its integration is that integration's (a wrong key names none).
    const integration = res.locals.integration as { name: string } | undefined;
    if (integration) activity?.rejected(integration.name, a.body.error, rt.clock.now());
    observe(rt, res);
    if (a.status === 500) rt.log.error({ err, path: req.path }, 'unexpected error in ingestion');
    else if (a.status === 503) rt.log.warn({ err: (err as Error).message, source }, 'database unavailable; answered 503');
    else rt.log.info({ source, status: a.status, reason: a.reason, error: a.body.error }, 'event rejected');
    sendAnswer(res, a);
  };
}
