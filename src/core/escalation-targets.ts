import type { EscalationTarget, NotifyMethod } from '../config/schema.js';
import type { StepRef } from './escalation.js';

/**
 * What one fired level does, pure: which teams' channels come in (`chat` on a team), whom the
 * card @-mentions (`mention`, and `chat` on a person: the card is where chat reaches them), and
 * which outbox rows to insert for the paging methods.
 *
 * The paging methods of a target (dm, sms, voice, email) form one chain per person: the first is
 * sent, the rest are its `fallback` (tried in order when one fails for good), so a person gets one
 * page per level, not one per method. `webhook` is one row per target, to the target's `url`.
 */
export type PagingMethod = 'dm' | 'sms' | 'voice' | 'email';
const PAGING: readonly NotifyMethod[] = ['dm', 'sms', 'voice', 'email'];

export interface TargetContext {
  /** The member on call on a schedule at the step's instant. */
  onCall(scheduleId: string): string | null;
  team(teamId: string): { members: string[]; schedule?: string } | undefined;
}

export interface StepMessage {
  _id: string;
  method: PagingMethod | 'webhook';
  fallback: PagingMethod[];
  memberId?: string;
  teamId?: string;
  url?: string;
}

export interface StepEffects {
  teams: string[];
  mentions: string[];
  messages: StepMessage[];
  /** One line per target for the timeline: `sms → zhang (schedule primary)`. */
  notified: string[];
}

/** `esc:<alertId>:<token>:<cycle>:<level>:<target index>:<member|team>:<method>` (src/notify/message.ts). */
export function outboxId(ref: StepRef, targetIndex: number, who: string, method: string): string {
  return `esc:${ref.alertId}:${ref.token}:${ref.cycle}:${ref.level}:${targetIndex}:${who}:${method}`;
}

export function targetPeople(t: EscalationTarget, ctx: TargetContext): string[] {
  if (t.member) return [t.member];
  if (t.schedule) {
    const m = ctx.onCall(t.schedule);
    return m ? [m] : [];
  }
  if (t.team) {
    const team = ctx.team(t.team);
    if (!team) return [];
    if (team.schedule) {
      const m = ctx.onCall(team.schedule);
      if (m) return [m];
    }
    return team.members;
  }
  return [];
}

export function describeTarget(t: EscalationTarget): string {
  if (t.schedule) return `schedule ${t.schedule}`;
  if (t.member) return `member ${t.member}`;
  if (t.team) return `team ${t.team}`;
  // A webhook-only target (`{url, via: [webhook]}`) names nobody.
  return t.url ? 'webhook' : 'nobody';
}

/**
 * The people a step paged: @-mentioned, or sent a DM, SMS, call or email (a webhook or a team's
 * channel pages nobody in particular). Each person once, however many methods reached them.
 */
export function pagedPeople(fx: Pick<StepEffects, 'mentions' | 'messages'>): string[] {
  const direct = fx.messages.flatMap((m) => (m.method !== 'webhook' && m.memberId ? [m.memberId] : []));
  return [...new Set([...fx.mentions, ...direct])];
}

export function resolveStep(ref: StepRef, targets: readonly EscalationTarget[], ctx: TargetContext): StepEffects {
  const out: StepEffects = { teams: [], mentions: [], messages: [], notified: [] };
  targets.forEach((t, i) => {
    const via = t.via;
    const people = via.some((m) => m !== 'chat' || !t.team) ? targetPeople(t, ctx) : [];
    const parts: string[] = [];
    if (via.includes('chat') && t.team) {
      out.teams.push(t.team);
      parts.push(`chat → ${t.team}`);
    }
    if (via.includes('mention') || (via.includes('chat') && !t.team)) {
      out.mentions.push(...people);
      if (people.length) parts.push(`mention → ${people.join(', ')}`);
    }
    const chain = via.filter((m): m is PagingMethod => PAGING.includes(m));
    const [first, ...fallback] = chain;
    if (first) {
      for (const p of people) out.messages.push({ _id: outboxId(ref, i, p, first), method: first, fallback, memberId: p });
      if (people.length) parts.push(`${[first, ...fallback].join('/')} → ${people.join(', ')}`);
    }
    if (via.includes('webhook') && t.url) {
      const who = t.team ?? t.schedule ?? t.member ?? 'webhook';
      out.messages.push({
        _id: outboxId(ref, i, who, 'webhook'),
        method: 'webhook',
        fallback: [],
        url: t.url,
        ...(people[0] ? { memberId: people[0] } : {}),
        ...(t.team ? { teamId: t.team } : {}),
      });
      parts.push(`webhook → ${t.url}`);
    }
    const label = describeTarget(t);
    out.notified.push(parts.length ? `${parts.join('; ')} (${label})` : `nobody to reach (${label})`);
  });
  out.teams = [...new Set(out.teams)];
  out.mentions = [...new Set(out.mentions)];
  return out;
}
