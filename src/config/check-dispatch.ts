import { compileHostPattern } from '../core/host-groups.js';
import { compileRoutes, RouteError } from '../core/routing.js';
import type { Config } from './schema.js';

/**
 * Start-up checks of dispatch (`routes`, `hostGroups`, `calendars`): every name a rule uses
 * exists, every regex compiles, every label matcher parses. Each problem is reported with its
 * key's path. Returns a message (the caller throws its ConfigError) or null.
 */
export function dispatchProblem(cfg: Config): string | null {
  const teams = new Set(cfg.teams.map((t) => t.id));
  const policies = new Set(cfg.escalationPolicies.map((p) => p.id));
  for (const [name, patterns] of Object.entries(cfg.hostGroups)) {
    for (const [i, p] of patterns.entries()) {
      try {
        compileHostPattern(p);
      } catch (err) {
        return `hostGroups.${name}[${i}]: ${(err as Error).message}`;
      }
    }
  }
  for (const [name, c] of Object.entries(cfg.calendars)) {
    const holidays = new Set(c.holidays);
    for (const key of ['holidays', 'workdays'] as const) {
      for (const [i, d] of c[key].entries()) {
        if (Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d) {
          return `calendars.${name}.${key}[${i}]: ${d} is not a date`;
        }
        if (key === 'workdays' && holidays.has(d)) return `calendars.${name}.workdays[${i}]: ${d} is also listed as a holiday`;
      }
    }
  }
  const seen = new Map<string, number>();
  for (const [i, r] of cfg.routes.entries()) {
    const at = `routes[${i}]`;
    const first = seen.get(r.name);
    if (first !== undefined) return `${at}.name: duplicate route name "${r.name}" (same as routes[${first}])`;
    seen.set(r.name, i);
    for (const [j, t] of r.teams.entries()) if (!teams.has(t)) return `${at}.teams[${j}]: unknown team "${t}"`;
    if (r.escalationPolicy && !policies.has(r.escalationPolicy)) return `${at}.escalationPolicy: unknown escalation policy "${r.escalationPolicy}"`;
    for (const [j, g] of (r.match?.hostGroup ?? []).entries()) {
      if (!(g in cfg.hostGroups)) return `${at}.match.hostGroup[${j}]: unknown host group "${g}"`;
    }
    for (const key of ['time', 'notTime'] as const) {
      const w = r.match?.[key];
      if (!w) continue;
      if (w.calendar && !(w.calendar in cfg.calendars)) return `${at}.match.${key}.calendar: unknown calendar "${w.calendar}"`;
      if (w.workingDays !== undefined && !w.calendar) return `${at}.match.${key}.workingDays: needs a calendar`;
      if (w.from !== undefined && w.from === w.to) return `${at}.match.${key}: from and to are both ${w.from}; leave both out for the whole day`;
    }
  }
  try {
    compileRoutes(cfg);
  } catch (err) {
    if (err instanceof RouteError) return `routes${err.message}`;
    throw err;
  }
  return null;
}
