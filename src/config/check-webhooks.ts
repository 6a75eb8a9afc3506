import { compileMatchContext, compileMatchers, MatcherError } from '../core/matchers.js';
import { parseConfigDuration } from '../core/duration.js';
import type { Config } from './schema.js';

/**
 * Start-up checks of `webhooks` and `actions`: unique names, known host groups and calendars, matchers that
 * compile, a sane timeout; an action's teams and members exist. Each problem is named by its key's path; returns it or null.
 */
export function webhooksProblem(cfg: Config): string | null {
  const ctx = compileMatchContext(cfg);
  const names = new Map<string, number>();
  for (const [i, w] of cfg.webhooks.entries()) {
    const at = `webhooks[${i}]`;
    const first = names.get(w.name);
    if (first !== undefined) return `${at}.name: duplicate webhook name "${w.name}" (same as webhooks[${first}])`;
    names.set(w.name, i);
    const t = parseConfigDuration(w.timeout)!;
    if (t < 100 || t > 120_000) return `${at}.timeout: ${w.timeout} is outside 100ms…2m`;
    const bad = matchProblem(w.match, at);
    if (bad) return bad;
  }
  const teams = new Set(cfg.teams.map((t) => t.id));
  const members = new Set(cfg.members.map((m) => m.id));
  const actions = new Map<string, number>();
  for (const [i, a] of cfg.actions.entries()) {
    const at = `actions[${i}]`;
    const first = actions.get(a.name);
    if (first !== undefined) return `${at}.name: duplicate action name "${a.name}" (same as actions[${first}])`;
    actions.set(a.name, i);
    const t = parseConfigDuration(a.timeout)!;
    if (t < 100 || t > 120_000) return `${at}.timeout: ${a.timeout} is outside 100ms…2m`;
    for (const [j, team] of a.teams.entries()) if (!teams.has(team)) return `${at}.teams[${j}]: unknown team "${team}"`;
    for (const [j, m] of a.members.entries()) if (!members.has(m)) return `${at}.members[${j}]: unknown member "${m}"`;
    if (a.teams.length === 0 && a.members.length === 0) return `${at}: name who may run it (teams: [ops] and/or members: [zhang])`;
    if (a.approval > 1) {
      const allowed = new Set([...a.members, ...a.teams.flatMap((t) => cfg.teams.find((x) => x.id === t)?.members ?? [])]);
      if (allowed.size < a.approval) return `${at}.approval: ${a.approval} approvals need at least ${a.approval} members allowed to run it (${allowed.size} are)`;
    }
    const bad = matchProblem(a.match, at);
    if (bad) return bad;
  }
  return null;

  function matchProblem(match: Config['webhooks'][number]['match'], at: string): string | null {
    for (const [j, g] of (match?.hostGroup ?? []).entries()) {
      if (!(g in cfg.hostGroups)) return `${at}.match.hostGroup[${j}]: unknown host group "${g}"`;
    }
    for (const key of ['time', 'notTime'] as const) {
      const win = match?.[key];
      if (win?.calendar && !(win.calendar in cfg.calendars)) return `${at}.match.${key}.calendar: unknown calendar "${win.calendar}"`;
    }
    try {
      compileMatchers(match, ctx);
    } catch (err) {
      if (err instanceof MatcherError) return `${at}.match.${err.message}`;
      throw err;
    }
    return null;
  }
}
