import type { Directory } from '../config/directory.js';
import type { Logger } from '../log.js';
import type { Locale, SummaryCard } from './card.js';
import { channelId } from './channels.js';
import type { ChatAdapter, PlatformId } from './chat-adapter.js';

export interface Notice {
  heading: string;
  lines: string[];
}

/** Posts one notice to the teams' channels, each in its team's language. */
export type TeamNotifier = (teams: string[], render: (locale: Locale) => Notice) => Promise<void>;

/**
 * Notices (maintenance started, ended with its summary) are one message per channel, posted
 * best effort: unlike alert cards they carry no state to keep in step, so a platform that is down
 * loses the notice (logged), never an alert. Each channel once, even when two teams share it.
 */
export function teamNotifier(dir: Directory, adapters: ReadonlyMap<PlatformId, ChatAdapter>, log: Logger): TeamNotifier {
  return async (teams, render) => {
    const seen = new Set<string>();
    for (const teamId of teams) {
      const team = dir.team(teamId);
      if (!team) continue;
      const locale: Locale = team.locale ?? dir.config.locale;
      const n = render(locale);
      const card: SummaryCard = { kind: 'summary', locale, heading: n.heading, lines: n.lines, text: [n.heading, ...n.lines].join('\n') };
      for (const c of team.channels) {
        const id = channelId(c);
        const key = `${c.platform}|${id}`;
        const adapter = adapters.get(c.platform as PlatformId);
        if (!adapter || seen.has(key)) continue;
        seen.add(key);
        const r = await adapter.post(id, card).catch((err: unknown) => ({ kind: 'failed' as const, error: String(err) }));
        if (r.kind !== 'sent') log.warn({ channel: key, result: r.kind, error: 'error' in r ? r.error : undefined }, 'team notice not posted');
      }
    }
  };
}
