import { Router, type Request } from 'express';
import type { Integration } from '../config/schema.js';
import type { NormalizedEvent, SourceType } from '../core/types.js';
import { HttpError } from '../http/errors.js';
import { withDeadline, INGEST_DEADLINE_MS } from '../http/deadline.js';
import { ingest } from '../ingest/ingest.js';
import { ingestContext } from '../ingest/context.js';
import type { Runtime } from '../runtime.js';
import type { IntegrationActivity } from '../store/integration-activity.js';
import { viewerOf } from './security.js';

/** Where each kind of integration posts (README "Sending alerts"). */
const PATHS: Record<Integration['type'], string> = {
  api: '/api/v1/events',
  alertmanager: '/api/v1/webhooks/alertmanager',
  grafana: '/api/v1/webhooks/grafana',
  graylog: '/api/v1/webhooks/graylog',
  zabbix: '/api/v1/webhooks/zabbix',
};

/**
 * Integrations for admins: each one's address and key, and a test alert sent through the very
 * ingestion path its tool's events take (stored, routed, carded, escalated). The key is a secret:
 * only admins get it, and the answer is never cached.
 */
export function consoleIntegrationApi(rt: Runtime, baseUrl: (req: Request) => string, activity?: IntegrationActivity): Router {
  const router = Router();
  const adminOnly = (res: Parameters<typeof viewerOf>[0]) => {
    const v = viewerOf(res);
    if (v.role !== 'admin') throw new HttpError(403, 'only an admin may see integrations and their keys', 'forbidden');
    return v;
  };

  router.get('/console/api/integrations', async (req, res) => {
    adminOnly(res);
    const base = rt.config.notify.publicUrl?.replace(/\/+$/, '') ?? baseUrl(req);
    const names = rt.config.integrations.map((i) => i.name);
    const seen = activity ? await activity.all(names) : new Map();
    res.set('Cache-Control', 'no-store').json({
      integrations: rt.config.integrations.map((i) => ({
        name: i.name,
        type: i.type,
        team: i.team,
        application: i.application,
        url: base + PATHS[i.type],
        key: i.key,
        activity: seen.get(i.name) ?? { accepted: 0, rejected: 0 },
      })),
    });
  });

  router.post('/console/api/integrations/:name/test', async (req, res) => {
    const viewer = adminOnly(res);
    const integration = rt.config.integrations.find((i) => i.name === req.params.name);
    if (!integration) throw new HttpError(404, `no integration "${req.params.name}"`, 'not_found');
    const now = rt.clock.now();
    const event: NormalizedEvent = {
      eventType: 'trigger',
      dedupKey: `console-test:${now.getTime()}`,
      title: `Test alert from the dutybot console (${integration.name})`,
      severity: 'info',
      description: `Sent by ${viewer.name} from the web console to check routing, cards and paging of integration "${integration.name}".`,
      labels: [{ name: 'test', value: 'true' }],
      links: [],
    };
    const arrival = { integration: integration.name, source: integration.type as SourceType, application: integration.application, team: integration.team };
    const raw = JSON.stringify({ consoleTest: true, by: viewer.name, event });
    const [result] = await withDeadline(ingest(rt, ingestContext(rt, arrival), raw, [event], now), INGEST_DEADLINE_MS);
    res.status(202).json(result);
  });

  return router;
}
