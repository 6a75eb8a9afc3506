import type { Locale, SummaryCard } from '../bot/card.js';
import { formatDuration, MUTE_CHOICES } from '../bot/durations.js';
import { refText } from '../bot/i18n.js';
import { teamOfChannel } from '../bot/channels.js';
import type { BotReply, ChatAdapter, CommandRequest, ImageMessage, PlatformId } from '../bot/chat-adapter.js';
import type { Command } from '../bot/commands.js';
import type { Directory } from '../config/directory.js';
import type { Team } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { lastDays } from '../core/periods.js';
import type { Logger } from '../log.js';
import type { AnalyticsService, TeamReport } from './service.js';

export interface StatsCommandDeps {
  analytics: AnalyticsService;
  directory: Directory;
  adapters: ReadonlyMap<PlatformId, ChatAdapter>;
  clock: Clock;
  log: Logger;
}

export function imageMessage(r: TeamReport, locale: Locale): ImageMessage {
  const m: ImageMessage = { title: r.title, text: r.lines.join('\n'), png: r.png, url: r.url };
  if (r.mutes.length === 0) return m;
  return {
    ...m,
    mutes: {
      label: locale === 'zh' ? '静默 Mute' : 'Mute 静默',
      options: MUTE_CHOICES.map((ms) => ({ value: String(ms), label: formatDuration(ms, locale) })),
      alerts: r.mutes.map((a) => ({ alertId: a.alertId, text: `${refText(a.shortId)} ${a.title}` })),
    },
  };
}

/** For platforms without images: the report as a summary card, the chart's link last. */
export function reportCard(r: TeamReport, locale: Locale): SummaryCard {
  const lines = [...r.lines.slice(1), `${locale === 'zh' ? '图表' : 'Chart'}: ${r.url}`];
  return { kind: 'summary', locale, heading: r.title, lines, text: [r.title, ...lines].join('\n') };
}

/**
 * `stats|统计 [team] [7d|30d]`: the figures of a team (by id or name; the channel's team when not
 * given; every team's alerts when the channel has none) over the last 7 or 30 days, with the
 * chart. Platforms that take images get both at once; others get the words and the chart's link.
 */
export function statsCommand(d: StatsCommandDeps) {
  return async (req: CommandRequest, cmd: Extract<Command, { name: 'stats' }>, locale: Locale): Promise<BotReply | null> => {
    let team: Team | undefined;
    if (cmd.team) {
      team = d.directory.team(cmd.team) ?? d.directory.allTeams().find((t) => t.name === cmd.team);
      if (!team) {
        const known = d.directory.allTeams().map((t) => t.id).join(', ');
        return { text: locale === 'zh' ? `找不到团队 "${cmd.team}"（可选：${known}）` : `unknown team "${cmd.team}" (teams: ${known})`, private: true };
      }
    } else {
      team = teamOfChannel(d.directory, req.platform, req.channel, req.channelName);
    }
    const period = lastDays(d.clock.now(), cmd.days, d.analytics.timeZoneOf(team?.id));
    const who = team?.name ?? (locale === 'zh' ? '全部团队' : 'all teams');
    const heading = locale === 'zh' ? `📊 ${who} · 近${cmd.days}天告警统计` : `📊 ${who} · alerts of the last ${cmd.days} days`;
    const report = await d.analytics.report(team?.id, period, locale, { heading });
    const adapter = d.adapters.get(req.platform);
    if (adapter?.replyImage) {
      const sent = await adapter.replyImage(req.replyTo, imageMessage(report, locale));
      if (sent.kind === 'sent') return null;
      d.log.warn({ platform: req.platform, error: sent.error }, 'stats chart not delivered; answering with text');
    }
    return { text: reportCard(report, locale).text, private: false };
  };
}
