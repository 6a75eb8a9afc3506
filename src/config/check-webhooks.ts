import { compileMatchContext, compileMatchers, MatcherError } from '../core/matchers.js';
import { parseConfigDuration } from '../core/duration.js';
import type { Config } from './schema.js';

/**
 * Start-up checks of `webhooks`: unique names, known host groups and calendars, matchers that
 * compile, a sane timeout. Each problem is named by its key's path; returns it or null.
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
    for (const [j, g] of (w.match?.hostGroup ?? []).entries()) {
      if (!(g in cfg.hostGroups)) return `${at}.match.hostGroup[${j}]: unknown host group "${g}"`;
    }
    for (const key of ['time', 'notTime'] as const) {
      const win = w.match?.[key];
      if (win?.calendar && !(win.calendar in cfg.calendars)) return `${at}.match.${key}.calendar: unknown calendar "${win.calendar}"`;
    }
    try {
      compileMatchers(w.match, ctx);
    } catch (err) {
      if (err instanceof MatcherError) return `${at}.match.${err.message}`;
      throw err;
    }
  }
  return null;
}
