import type { Locale } from '../bot/card.js';
import type { Directory } from '../config/directory.js';
import type { LoadedConfig } from '../config/load.js';
import { byGroup, byMember, daily, figures, type DayPoint, type GroupBy, type GroupRow, type MemberRow, type Period } from '../core/analytics.js';
import type { Clock } from '../core/clock.js';
import { parseConfigDuration } from '../core/duration.js';
import { scheduleHours, schedulesOf } from '../core/fair-load.js';
import type { OverrideSpan } from '../core/oncall.js';
import { localDate } from '../core/periods.js';
import type { AlertStore } from '../store/alerts.js';
import type { AnalyticsFactStore } from '../store/analytics-facts.js';
import { renderPng } from './chart.js';
import type { ChartLinks, ChartRequest } from './chart-links.js';
import { reportLines } from './report-text.js';
import { teamTimeZone } from './settings.js';

/** A report ready to post: its words, its chart, and the chart's signed link. */
export interface TeamReport {
  title: string;
  lines: string[];
  png: Buffer;
  url: string;
  /** Noisy alerts still open, for one-click mutes. */
  mutes: Array<{ alertId: string; shortId: number; title: string }>;
}

export interface AnalyticsServiceDeps {
  config: LoadedConfig;
  directory: Directory;
  facts: AnalyticsFactStore;
  alerts: Pick<AlertStore, 'findOpen'>;
  links: ChartLinks;
  clock: Clock;
  /** The covers made in chat, per schedule (src/store/oncall-overrides.ts): hours on call apply them. */
  overrides: { forSchedule(scheduleId: string): Promise<OverrideSpan[]> };
}

export const NOISIEST = 5;
/**
 * Facts of alerts opened this long before a period are read too, for the pages they sent within
 * it (an alert opened at 23:55 paging again at 00:10). A page of an alert older than that is not
 * counted: a bound that keeps the read to the period plus a week (docs/decisions/0024-fair-load-on-alert-facts.md).
 */
export const PAGE_LOOKBACK_MS = 7 * 86_400_000;

/** Figures for the REST API, chat answers and weekly reports, from the analytics facts. */
export class AnalyticsService {
  constructor(private readonly d: AnalyticsServiceDeps) {}

  async rows(by: GroupBy, period: Period, team?: string): Promise<GroupRow[] | MemberRow[]> {
    if (by === 'member') return this.members(period, team);
    return byGroup(await this.opened(period, team), period, by);
  }

  /** Per member: claims and resolves, pages and hours on call (src/core/fair-load.ts). */
  async members(period: Period, team?: string): Promise<MemberRow[]> {
    const [facts, hours] = await Promise.all([this.withLookback(period, team), this.hoursOnCall(period, team)]);
    return byMember(facts, period, hours);
  }

  /** Hours on call per member in the period on the team's schedules (every schedule without a team). */
  async hoursOnCall(period: Period, team?: string): Promise<Map<string, number>> {
    const cfg = this.d.config;
    // Hours still to come are not on-call hours yet (`stats` periods end at the coming midnight).
    const until = new Date(Math.min(period.to.getTime(), this.d.clock.now().getTime()));
    if (until.getTime() <= period.from.getTime()) return new Map();
    const schedules = schedulesOf(cfg, team);
    const covers = new Map<string, OverrideSpan[]>();
    for (const s of schedules) covers.set(s.id, await this.d.overrides.forSchedule(s.id));
    return scheduleHours(schedules, { from: period.from, to: until }, (id) => ({ extraOverrides: covers.get(id) ?? [], calendars: cfg.calendars }));
  }

  /** Facts opened in the period and the week before it (their pages may fall in the period). */
  private withLookback(period: Period, team?: string) {
    return this.opened({ from: new Date(period.from.getTime() - PAGE_LOOKBACK_MS), to: period.to }, team);
  }

  /** Facts of the alerts opened in the period, of one team or all. */
  private opened(period: Period, team?: string) {
    return this.d.facts.opened({ ...period, ...(team ? { team } : {}) });
  }

  /**
   * Everything the analytics answer shows (REST and console alike): the rows of a grouping, the
   * figures of each day in the team's zone (alerts per day; time to detect, claim and resolve over
   * time), and the noisiest alerts. One read of the facts for the rows and the days.
   */
  async overview(by: GroupBy, period: Period, team?: string): Promise<{ rows: GroupRow[] | MemberRow[]; days: DayPoint[]; noisiest: Awaited<ReturnType<AnalyticsService['noise']>> }> {
    // Members' pages may come from alerts opened the week before; days and groups take the period's own.
    const [facts, hours] = await Promise.all([
      by === 'member' ? this.withLookback(period, team) : this.opened(period, team),
      by === 'member' ? this.hoursOnCall(period, team) : undefined,
    ]);
    return {
      rows: by === 'member' ? byMember(facts, period, hours) : byGroup(facts, period, by),
      days: daily(facts, period, this.timeZoneOf(team)),
      noisiest: await this.noise(period, team),
    };
  }

  /** The noisiest alerts, sources and dispatch rules of a period. */
  async noise(period: Period, team?: string, limit = 10) {
    const q = { ...period, ...(team ? { team } : {}) };
    const [alerts, sources, rules] = await Promise.all([this.d.facts.noisiest(q, limit), this.d.facts.bySource(q), this.d.facts.byRule(q)]);
    return { alerts, sources: sources.slice(0, limit), rules: rules.slice(0, limit) };
  }

  timeZoneOf(team: string | undefined): string {
    return teamTimeZone(this.d.config, team);
  }

  async chartPng(req: Omit<ChartRequest, 'expires'>): Promise<Buffer> {
    const facts = await this.opened({ from: req.from, to: req.to }, req.team);
    return renderPng({ title: chartTitle(req), points: daily(facts, req, req.timeZone) });
  }

  /** A team's (or everyone's) figures over a period, as lines and a chart. */
  async report(team: string | undefined, period: Period, locale: Locale, opts: { heading: string; suggestMutes?: boolean }): Promise<TeamReport> {
    const timeZone = this.timeZoneOf(team);
    // Figures and the chart take the period's own facts (they filter by opening); pages the week before too.
    const [facts, hours] = await Promise.all([this.withLookback(period, team), this.hoursOnCall(period, team)]);
    const noisiest = await this.d.facts.noisiest({ ...period, ...(team ? { team } : {}) }, NOISIEST);
    const muteSuggestions: Array<{ alertId: string; shortId: number; title: string }> = [];
    if (opts.suggestMutes) {
      for (const n of noisiest) {
        if (n.alerts < 2 && n.events < 3) continue; // one quiet alert is not noise
        const open = await this.d.alerts.findOpen(n.integration, n.dedupKey).catch(() => null);
        if (open && !open.mutedUntil) muteSuggestions.push({ alertId: open.id, shortId: open.shortId, title: open.title });
      }
    }
    const lines = reportLines(
      {
        heading: opts.heading,
        figures: figures(facts, period),
        members: byMember(facts, period, hours),
        memberName: (id) => this.d.directory.member(id)?.name ?? id,
        noisiest,
        muteSuggestions,
      },
      locale,
    );
    const chartReq = { ...(team ? { team } : {}), from: period.from, to: period.to, timeZone };
    const png = await renderPng({ title: chartTitle(chartReq), points: daily(facts, period, timeZone) });
    const ttl = parseConfigDuration(this.d.config.analytics.linkTtl) ?? 7 * 86_400_000;
    const url = this.d.links.url({ ...chartReq, expires: new Date(this.d.clock.now().getTime() + ttl) });
    return { title: opts.heading, lines, png, url, mutes: muteSuggestions };
  }
}

/** ASCII only (see chart.ts): the team id and the local dates. */
function chartTitle(req: Omit<ChartRequest, 'expires'>): string {
  const last = new Date(req.to.getTime() - 1);
  return `${req.team ?? 'all teams'} · ${localDate(req.from, req.timeZone)} – ${localDate(last, req.timeZone)} · alerts and MTTA`;
}
