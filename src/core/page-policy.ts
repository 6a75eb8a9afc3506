import type { Config, EscalationPolicy } from '../config/schema.js';

/**
 * The escalation policy of a deliberate page (`page <team|member|schedule> <message>`, issue 20),
 * pure. A team is paged with its own policy when it has one; a member or a schedule's on-call
 * person (or a team without a policy) gets this built-in one, named by a synthetic id that the
 * escalation engine resolves like a config policy: `page:member:li`, `page:schedule:db`,
 * `page:team:ops`.
 *
 * Level 1 at once: the card @-mentions the person and a direct message goes out (SMS, then voice,
 * when the DM cannot be sent); level 2 after 5 minutes: a call (SMS if the call fails), until
 * someone claims.
 */
export const PAGE_POLICY_PREFIX = 'page:';

export type PageTarget = { kind: 'team' | 'member' | 'schedule'; id: string };

export function pagePolicyId(t: PageTarget): string {
  return `${PAGE_POLICY_PREFIX}${t.kind}:${t.id}`;
}

export function pagePolicy(cfg: Pick<Config, 'teams'>, policyId: string): EscalationPolicy | undefined {
  const m = /^page:(team|member|schedule):(.+)$/.exec(policyId);
  if (!m) return undefined;
  const [, kind, id] = m as unknown as [string, PageTarget['kind'], string];
  const base = { id: policyId, name: policyId, repeat: 0, snoozeMax: '4h' };
  if (kind === 'team') {
    const team = cfg.teams.find((t) => t.id === id);
    if (!team) return undefined;
    const who = team.schedule ? [{ schedule: team.schedule, via: ['mention' as const] }, { schedule: team.schedule, via: ['dm' as const, 'sms' as const, 'voice' as const] }] : [];
    return { ...base, levels: [{ after: '0s', notify: [{ team: id, via: ['chat'] }, ...who] }] };
  }
  const target = kind === 'member' ? { member: id } : { schedule: id };
  return {
    ...base,
    levels: [
      { after: '0s', notify: [{ ...target, via: ['mention'] }, { ...target, via: ['dm', 'sms', 'voice'] }] },
      { after: '5m', notify: [{ ...target, via: ['voice', 'sms'] }] },
    ],
  };
}
