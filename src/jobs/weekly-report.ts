import type { Agenda } from 'agenda';
import type { Db } from 'mongodb';
import { imageMessage, reportCard } from '../analytics/stats-command.js';
import type { AnalyticsService } from '../analytics/service.js';
import { teamTimeZone, weeklyReportOf } from '../analytics/settings.js';
import type { Locale } from '../bot/card.js';
import { channelId } from '../bot/channels.js';
import type { ChatAdapter, PlatformId } from '../bot/chat-adapter.js';
import type { Directory } from '../config/directory.js';
import type { LoadedConfig } from '../config/load.js';
import type { Clock } from '../core/clock.js';
import { localDate, nextWeekly, previousWeek } from '../core/periods.js';
import type { Logger } from '../log.js';

export const WEEKLY_REPORT_JOB = 'weekly-report';

interface WeeklyData {
  team: string;
  /** The run this job is (ISO): a job for another time of the team is stale. */
  at: string;
}

export interface WeeklyReportDeps {
  config: LoadedConfig;
  directory: Directory;
  analytics: AnalyticsService;
  adapters: ReadonlyMap<PlatformId, ChatAdapter>;
  db: Db;
  clock: Clock;
  log: Logger;
}

export type WeeklyOutcome = { kind: 'posted'; channels: number; failed: number } | { kind: 'already-sent' } | { kind: 'off' };

/**
 * Posts a team's report of the week that just ended (seven whole days in the team's zone) to its
 * channels: the week's figures, the top 5 noisiest alerts, mute suggestions and the chart.
 *
 * At most once per team and week: a `weeklyreports` document (`_id` = team:first day) is inserted
 * before posting; a second run (Agenda re-running a job whose lock expired, two instances) finds
 * it and does nothing. A crash between insert and post loses that week's report (decision 0011).
 */
export async function runWeeklyReport(d: WeeklyReportDeps, teamId: string): Promise<WeeklyOutcome> {
  const team = d.directory.team(teamId);
  const settings = weeklyReportOf(d.config, teamId);
  if (!team || !settings.enabled) return { kind: 'off' };
  const tz = teamTimeZone(d.config, teamId);
  const period = previousWeek(d.clock.now(), tz);
  const weekOf = localDate(period.from, tz);
  try {
    await d.db.collection<{ _id: string; at: Date }>('weeklyreports').insertOne({ _id: `${teamId}:${weekOf}`, at: d.clock.now() });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return { kind: 'already-sent' };
    throw err;
  }
  const locale: Locale = team.locale ?? d.config.locale;
  const last = localDate(new Date(period.to.getTime() - 1), tz);
  const heading = locale === 'zh' ? `📅 ${team.name} · 周报 ${weekOf} – ${last}` : `📅 ${team.name} · weekly report ${weekOf} – ${last}`;
  const report = await d.analytics.report(teamId, period, locale, { heading, suggestMutes: true });
  let failed = 0;
  const channels = settings.channels ?? team.channels;
  for (const c of channels) {
    const adapter = d.adapters.get(c.platform);
    if (!adapter) continue;
    const channel = channelId(c);
    const sent = adapter.postImage ? await adapter.postImage(channel, imageMessage(report, locale)) : await adapter.post(channel, reportCard(report, locale));
    if (sent.kind !== 'sent') {
      failed += 1;
      d.log.warn({ team: teamId, platform: c.platform, error: sent.error }, 'weekly report not delivered');
    }
  }
  return { kind: 'posted', channels: channels.length, failed };
}

/** Defines the job, and schedules each team's next report (replacing what an older config set). */
export async function scheduleWeeklyReports(agenda: Agenda, d: WeeklyReportDeps): Promise<void> {
  agenda.define(WEEKLY_REPORT_JOB, async (job: { attrs: { data?: unknown } }) => {
    const data = job.attrs.data as WeeklyData;
    try {
      await runWeeklyReport(d, data.team);
    } finally {
      // The next week is scheduled whatever happened to this one.
      await scheduleNext(agenda, d, data.team, new Date(data.at));
    }
  });
  await agenda.cancel({ name: WEEKLY_REPORT_JOB });
  for (const team of d.directory.allTeams()) await scheduleNext(agenda, d, team.id);
}

/** After `after` too: a timer that fires a moment early must not schedule the same run again. */
async function scheduleNext(agenda: Agenda, d: WeeklyReportDeps, teamId: string, after?: Date): Promise<void> {
  const s = weeklyReportOf(d.config, teamId);
  if (!s.enabled || !d.directory.team(teamId)) return;
  const now = d.clock.now();
  const from = after && after.getTime() > now.getTime() ? after : now;
  const at = nextWeekly(from, s.day, s.at, teamTimeZone(d.config, teamId));
  await agenda.schedule(at, WEEKLY_REPORT_JOB, { team: teamId, at: at.toISOString() } satisfies WeeklyData);
}
