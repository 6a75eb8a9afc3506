import express, { Router, type Request, type RequestHandler } from 'express';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Runtime } from '../runtime.js';
import { ConsoleAuthStore } from '../store/console-auth.js';
import { consoleAlertApi, type ConsoleAlertDeps } from './alert-api.js';
import { ConsoleAuth } from './auth.js';
import { LiveStreams } from './live.js';
import { securityHeaders, isHttps } from './security.js';
import { consoleSessionApi } from './session-api.js';
import { linkRequestApi, type DirectMessage, type PersonalEmail } from './link-request.js';
import { consoleStatusApi, type StatusDeps } from './status-api.js';
import { consoleRunApi } from './run-api.js';
import { consoleMaintenanceApi } from './maintenance-api.js';
import { consoleHeartbeatApi } from './heartbeat-api.js';
import { consoleIntegrationApi } from './integration-api.js';
import { consoleOnCallApi } from './oncall-api.js';
import { consoleRouteTestApi } from './route-test-api.js';
import { consoleOidcApi } from './oidc.js';
import type { OnCallCommands } from '../bot/oncall-commands.js';
import type { RemediationActions } from '../notify/webhooks/remediation.js';
import type { AnalyticsService } from '../analytics/service.js';
import { consoleAnalyticsApi } from './analytics-api.js';
import { consoleConfigApi } from './config-api.js';
import type { IntegrationActivity } from '../store/integration-activity.js';

/** What the browser runs (web/): plain files, served as they are (docs/decisions/0019). */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

/** The console's pages; each is the one HTML shell, whose script draws the page for its path. */
const PAGES = [/^\/$/, /^\/sign-in$/, /^\/alerts\/[^/]+$/, /^\/status$/, /^\/oncall$/, /^\/maintenance$/, /^\/heartbeats$/, /^\/integrations$/, /^\/routes$/, /^\/analytics$/, /^\/config$/];

export interface ConsoleOptions extends ConsoleAlertDeps, Omit<StatusDeps, 'live'> {
  /** Believe X-Forwarded-Proto (a TLS proxy in front): cookies get `Secure` behind https. */
  trustProxy?: boolean;
  /** Who is on call, schedules' calendars and covers (the chat's `oncall` and `cover`). */
  onCall: OnCallCommands;
  /** Remediation actions (`actions:`), run from an alert's page as from its card. */
  remediation?: RemediationActions;
  /** Direct chat messages (the chat adapters'), for members asking for a sign-in link. */
  directMessage?: DirectMessage;
  /** Analytics (the REST API's figures and CSV) for the analytics page. */
  analytics?: AnalyticsService;
  /** What each integration sent: accepted, rejected, when last (the integrations page). */
  activity?: IntegrationActivity;
  /** Mail to a member's `email` (the paging SMTP channel), for sign-in links too. */
  email?: PersonalEmail;
}

export interface Console {
  router: Router;
  /** Mounted after every other route: a browser asking for an unknown page gets the console's 404 page; scripts keep the JSON 404. */
  notFound: RequestHandler;
  auth: ConsoleAuth;
  live: LiveStreams;
  /** A one-time admin sign-in link (printed by `npm start`). */
  adminLink(baseUrl: string): Promise<string>;
}

export function createConsole(rt: Runtime, opts: ConsoleOptions): Console {
  const trustProxy = opts.trustProxy ?? false;
  const auth = new ConsoleAuth(new ConsoleAuthStore(rt.database.db), rt.clock, rt.directory);
  const live = new LiveStreams(rt.events);
  const linkUrl = (base: string, token: string): string => `${base}/sign-in#t=${token}`;
  const baseOf = (req: Request): string => `${isHttps(req, trustProxy) ? 'https' : 'http'}://${req.get('host')}`;

  const router = Router();
  router.use(['/console', ...PAGES], securityHeaders);
  const shell = join(WEB_DIR, 'index.html');
  router.get(PAGES, async (req, res) => {
    // The shell draws every page; an alert that does not exist is still a 404 for the browser.
    const ref = /^\/alerts\/([^/]+)$/.exec(req.path)?.[1];
    const missing = ref !== undefined && !(await rt.alerts.get(safeDecode(ref)));
    res.status(missing ? 404 : 200).set('Cache-Control', 'no-cache').sendFile(shell);
  });
  router.use('/console/web', express.static(WEB_DIR, { index: false, fallthrough: true, setHeaders: (res) => res.set('Cache-Control', 'no-cache') }));
  router.use(consoleOidcApi(rt, auth, { trustProxy, baseOf }));
  router.use(linkRequestApi(rt, auth, { trustProxy, directMessage: opts.directMessage, email: opts.email }));
  router.use(consoleSessionApi(auth, { trustProxy, linkUrl: (req, t) => linkUrl(baseOf(req), t), memberExists: (id) => !!rt.directory.member(id), signedOut: (id) => live.closeSession(id) }));
  router.get('/console/api/events', live.handle);
  if (opts.remediation) router.use(consoleRunApi(rt, opts.remediation));
  router.use(consoleAlertApi(rt, opts));
  router.use(consoleMaintenanceApi(rt));
  router.use(consoleHeartbeatApi(rt));
  router.use(consoleIntegrationApi(rt, baseOf, opts.activity));
  router.use(consoleStatusApi(rt, { readiness: opts.readiness, live }));
  router.use(consoleOnCallApi(rt, opts.onCall));
  router.use(consoleRouteTestApi(rt));
  if (opts.analytics) router.use(consoleAnalyticsApi(rt, opts.analytics));
  router.use(consoleConfigApi(rt));

  const notFound: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' || req.path.startsWith('/api/') || req.path.startsWith('/console/api/') || req.accepts(['json', 'html']) !== 'html') return next();
    securityHeaders(req, res, () => res.status(404).set('Cache-Control', 'no-cache').sendFile(shell));
  };

  return {
    router,
    notFound,
    auth,
    live,
    adminLink: async (baseUrl) => linkUrl(baseUrl, await auth.issueLink({ role: 'admin' })),
  };
}

/** A malformed escape (`%zz`) names no alert rather than failing the request. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}
