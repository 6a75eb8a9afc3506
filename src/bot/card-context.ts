import type { Directory } from '../config/directory.js';
import type { Alert } from '../core/alert.js';
import { mentionOf } from './mentions.js';
import type { CardContext } from './render-card.js';

export interface CardContextDeps {
  directory: Directory;
  timeZone: string;
  /** The remediation actions (`actions:`) an alert matches, shown as buttons on its card. */
  remediation?: (alert: Alert) => CardContext['remediation'];
}

/** The context of a summary card: that of its first alert, else the defaults of the config. */
export function summaryCardContext(deps: CardContextDeps, alerts: Alert[], now: Date): Omit<CardContext, 'members' | 'mutedUntil'> {
  const first = alerts[0];
  return first ? alertCardContext(deps, first, now) : { locale: deps.directory.config.locale, now, timeZone: deps.timeZone, teamName: '' };
}

/** What an alert's card shows beside the alert: its team's language and members, its mute, its buttons and mentions. */
export function alertCardContext(deps: CardContextDeps, alert: Alert, now: Date): CardContext {
  const dir = deps.directory;
  const team = dir.team(alert.team);
  const memberIds = team?.members.length ? team.members : dir.config.members.map((m) => m.id);
  return {
    locale: team?.locale ?? dir.config.locale,
    now,
    timeZone: deps.timeZone,
    teamName: team?.name ?? alert.team,
    members: memberIds.flatMap((id) => {
      const m = dir.member(id);
      return m ? [{ id: m.id, name: m.name }] : [];
    }),
    mutedUntil: alert.mutedUntil && alert.mutedUntil > now ? alert.mutedUntil : undefined,
    remediation: deps.remediation?.(alert),
    mentions: [
      ...(alert.owner?.memberId ? mentionOf(dir.member(alert.owner.memberId)) : []),
      // Whom round-robin named and the people a level said to @-mention, while nobody has taken the alert.
      ...(alert.state === 'triggered'
        ? [...new Set([...(alert.assignee ? [alert.assignee.memberId] : []), ...(alert.escalation?.mentions ?? [])])].flatMap((id) => mentionOf(dir.member(id)))
        : []),
    ],
  };
}
