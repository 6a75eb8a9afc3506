import { randomBytes } from 'node:crypto';
import type { Directory } from '../config/directory.js';
import type { Member } from '../config/schema.js';
import type { AlertRoute } from '../core/alert.js';
import { pagePolicyId, type PageTarget } from '../core/page-policy.js';
import type { Severity } from '../core/types.js';
import { ingest, type EventResult, type IngestDeps } from '../ingest/ingest.js';

/**
 * Paging people on purpose (issue 20): `page <team|member|schedule> <message>` and `POST
 * /api/v1/page` open an alert through the normal ingestion path, routed straight to the target
 * (no dispatch rules, no maintenance hold: a person asked for it), with the target's escalation
 * policy (src/core/page-policy.ts). Each page is a new alert (its dedup key is random).
 */
export const PAGE_INTEGRATION = 'page';

export interface Pager {
  /** The target a word names: a schedule, then a team, then a member (id, name, or platform id). */
  target(token: string, memberByPlatformId?: (id: string) => Member | undefined): PageTarget | null;
  page(target: PageTarget, message: string, by: { memberId: string; name: string; via: string }, severity?: Severity): Promise<EventResult>;
  targetName(t: PageTarget): string;
}

export function pager(deps: IngestDeps & { directory: Directory; clock: { now(): Date } }): Pager {
  const dir = deps.directory;
  const cfg = dir.config;
  const targetName = (t: PageTarget): string =>
    t.kind === 'team' ? (dir.team(t.id)?.name ?? t.id) : t.kind === 'member' ? (dir.member(t.id)?.name ?? t.id) : (cfg.schedules.find((s) => s.id === t.id)?.name ?? t.id);

  /** The team whose channels get the card: the schedule's owner, the member's first team. */
  const teamOf = (t: PageTarget, by: string): string | undefined => {
    if (t.kind === 'team') return t.id;
    const teams = dir.allTeams();
    const own = t.kind === 'schedule' ? teams.find((x) => x.schedule === t.id) : teams.find((x) => x.members.includes(t.id));
    return (own ?? teams.find((x) => x.members.includes(by)))?.id;
  };

  return {
    targetName,
    target(token, memberByPlatformId) {
      const w = token.replace(/^[@＠]/, '');
      const s = cfg.schedules.find((x) => x.id === w || x.name === w);
      if (s) return { kind: 'schedule', id: s.id };
      const team = dir.team(w) ?? dir.allTeams().find((x) => x.name === w);
      if (team) return { kind: 'team', id: team.id };
      const m = dir.member(w) ?? cfg.members.find((x) => x.name === w) ?? memberByPlatformId?.(w);
      return m ? { kind: 'member', id: m.id } : null;
    },
    async page(target, message, by, severity = 'critical') {
      const now = deps.clock.now();
      const team = teamOf(target, by.memberId) ?? '';
      const policy = target.kind === 'team' ? (dir.team(target.id)?.escalationPolicy ?? pagePolicyId(target)) : pagePolicyId(target);
      const route: AlertRoute = { rules: [PAGE_INTEGRATION], teams: team ? [team] : [], escalationPolicy: policy, channels: [] };
      const who = targetName(target);
      const zh = (dir.team(team)?.locale ?? cfg.locale) !== 'en';
      const event = {
        eventType: 'trigger' as const,
        dedupKey: `page-${randomBytes(8).toString('hex')}`,
        // The card's title says who paged whom and why: it is all a responder sees at first.
        title: zh ? `${by.name} 呼叫 ${who}：${message}` : `${by.name} paged ${who}: ${message}`,
        severity,
        description: message,
        labels: [
          { name: 'paged_by', value: by.name },
          { name: 'page_target', value: `${target.kind}:${target.id}` },
        ],
        links: [],
      };
      const ctx = { integration: PAGE_INTEGRATION, source: 'api' as const, application: PAGE_INTEGRATION, team, dispatch: () => route };
      const [result] = await ingest(deps, ctx, JSON.stringify({ page: target, message, by: by.memberId, via: by.via }), [event], now);
      return result!;
    },
  };
}
