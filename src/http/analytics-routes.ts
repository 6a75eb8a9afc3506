import { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type { ChartLinks } from '../analytics/chart-links.js';
import type { AnalyticsService } from '../analytics/service.js';
import { CHART_PATH } from '../analytics/chart-links.js';
import { DEFINITIONS, type GroupRow, type MemberRow } from '../core/analytics.js';
import { LOAD_DEFINITIONS } from '../core/fair-load.js';
import { startOfLocalDate } from '../core/periods.js';
import type { Runtime } from '../runtime.js';
import { parseWith } from '../sources/validate.js';
import { authenticateMember } from './auth.js';
import { HttpError } from './errors.js';

const DAY_MS = 86_400_000;
const MAX_SPAN_DAYS = 366;

/** `2026-11-23` (midnight in the team's zone) or an ISO-8601 instant with its offset. */
const instant = z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2}))?$/, 'a date like 2026-11-23 or an ISO time like 2026-11-23T09:00:00+08:00');

const query = z.strictObject({
  by: z.enum(['application', 'team', 'member'], { error: 'one of application, team, member' }).default('team'),
  from: instant.optional(),
  to: instant.optional(),
  team: z.string().min(1).max(64).optional(),
  /** Without `from`: the period is the `days` days before `to` (default 7). */
  days: z.coerce.number({ error: 'a number of days' }).int('a whole number of days').min(1).max(MAX_SPAN_DAYS).optional(),
  format: z.enum(['json', 'csv'], { error: 'json or csv' }).optional(),
});

export interface AnalyticsRouteDeps {
  rt: Pick<Runtime, 'directory' | 'clock' | 'log'>;
  analytics: AnalyticsService;
  links: ChartLinks;
  rebuild: () => Promise<number>;
}

/**
 * `GET /api/v1/analytics?by=application|team|member&from=&to=[&days=][&team=][&format=csv]` (member
 * `apiToken`), `POST /api/v1/analytics/rebuild`, and the signed chart images `GET /charts/…png`.
 */
export function analyticsRoutes(d: AnalyticsRouteDeps): Router {
  const router = Router();

  router.use('/api/v1/analytics', (req, res, next) => {
    res.locals.member = authenticateMember(req, d.rt.directory);
    next();
  });

  router.get('/api/v1/analytics', analyticsAnswer({ directory: d.rt.directory, clock: d.rt.clock, analytics: d.analytics }));

  router.post('/api/v1/analytics/rebuild', async (_req, res) => {
    res.json({ rebuilt: await d.rebuild() });
  });

  router.get(`${CHART_PATH}:token`, async (req, res) => {
    const v = d.links.verify(String(req.params.token), d.rt.clock.now());
    if (!v.ok) throw new HttpError(v.status, v.error, 'chart');
    const png = await d.analytics.chartPng(v.req);
    res.type('image/png').set('Cache-Control', 'private, max-age=300').send(png);
  });

  return router;
}

/**
 * The analytics answer, JSON or CSV, for whoever the caller's own authentication let in: the REST
 * API (member `apiToken`) and the console (its session) both mount this one handler, so their
 * figures, validation and CSV are the same code (`GET /console/api/analytics` takes the same query).
 */
export function analyticsAnswer(d: { directory: Runtime['directory']; clock: Runtime['clock']; analytics: AnalyticsService }): RequestHandler {
  return async (req, res) => {
    const q = parseWith(query, req.query);
    if (q.team && !d.directory.team(q.team)) throw new HttpError(400, `unknown team "${q.team}"`, 'invalid', 'team');
    const tz = d.analytics.timeZoneOf(q.team);
    const to = q.to ? parseInstant(q.to, tz, 'to') : d.clock.now();
    const from = q.from ? parseInstant(q.from, tz, 'from') : new Date(to.getTime() - (q.days ?? 7) * DAY_MS);
    if (from.getTime() >= to.getTime()) throw new HttpError(400, '"from" must be before "to"', 'invalid', 'from');
    if (to.getTime() - from.getTime() > MAX_SPAN_DAYS * DAY_MS) throw new HttpError(400, `at most ${MAX_SPAN_DAYS} days at once`, 'invalid', 'from');
    const named = (rows: GroupRow[] | MemberRow[]) =>
      q.by === 'member' ? (rows as MemberRow[]).map((r) => ({ ...r, name: d.directory.member(r.key)?.name ?? r.key })) : rows;
    if (q.format === 'csv' || (!q.format && wantsCsv(req))) {
      const rows = named(await d.analytics.rows(q.by, { from, to }, q.team));
      res
        .type('text/csv; charset=utf-8')
        .attachment(`dutybot-analytics-${q.by}-${from.toISOString().slice(0, 10)}.csv`)
        // A BOM so that Excel opens UTF-8 (Chinese names) correctly.
        .send('\uFEFF' + toCsv(rows as unknown as Array<Record<string, unknown>>, q.by));
      return;
    }
    const { rows, days, noisiest } = await d.analytics.overview(q.by, { from, to }, q.team);
    res.json({
      by: q.by,
      from: from.toISOString(),
      to: to.toISOString(),
      timeZone: tz,
      ...(q.team ? { team: q.team } : {}),
      rows: named(rows),
      noisiest,
      // Each day of the period (the team's days): alerts opened, and their figures by the same definitions.
      days,
      // What each time figure measures, next to the figures (member rows carry no time to detect).
      definitions: q.by === 'member' ? { mttaSeconds: DEFINITIONS.mttaSeconds, mttrSeconds: DEFINITIONS.mttrSeconds, ...LOAD_DEFINITIONS } : DEFINITIONS,
    });
  };
}

function wantsCsv(req: Request): boolean {
  const accept = req.get('accept') ?? '';
  return /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept);
}

function parseInstant(text: string, timeZone: string, field: string): Date {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(text) ? startOfLocalDate(text, timeZone) : new Date(text);
  // A well-formed but impossible date (2026-13-45) is still the caller's mistake.
  if (Number.isNaN(d.getTime()) || !validDate(text.slice(0, 10))) {
    throw new HttpError(400, `not a valid date: "${text}"`, 'invalid', field);
  }
  return d;
}

function validDate(ymd: string): boolean {
  const d = new Date(`${ymd}T12:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === ymd;
}

const GROUP_COLUMNS: Array<keyof GroupRow> = [
  'key',
  'opened',
  'claimed',
  'resolved',
  'resolvedByPerson',
  'resolvedBySource',
  'resolvedBeforeClaim',
  'openAtEnd',
  'escalated',
  'muted',
  'offHours',
  'mttaSeconds',
  'mttaP90Seconds',
  'mttrSeconds',
  'mttrP90Seconds',
  // Added after the others so that existing spreadsheets keep their columns.
  'mttdSeconds',
  'mttdP90Seconds',
];
const MEMBER_COLUMNS = [
  'key',
  'name',
  'claims',
  'mttaSeconds',
  'mttaP90Seconds',
  'resolves',
  'mttrSeconds',
  'mttrP90Seconds',
  'offHoursClaims',
  // Fair load (issue 20), after the others so that existing spreadsheets keep their columns.
  'pages',
  'nightPages',
  'hoursOnCall',
];

function toCsv(rows: Array<Record<string, unknown>>, by: string): string {
  const cols = by === 'member' ? MEMBER_COLUMNS : (GROUP_COLUMNS as string[]);
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : String(v);
    // Quotes for separators, and a leading ' for text a spreadsheet would run as a formula.
    const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const header = cols.map((c) => (c === 'key' ? by : c));
  return [header.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}
