import { parseConfigDuration } from '../core/duration.js';
import { compileMatchContext, compileMatchers, MatcherError } from '../core/matchers.js';
import type { Config } from './schema.js';

export const HEARTBEAT_MIN_INTERVAL_MS = 10_000;
export const HEARTBEAT_MAX_INTERVAL_MS = 30 * 86_400_000;

/**
 * Start-up checks of `heartbeats` and `maintenance` (and the integrations' `watchdog`), each
 * problem named by its key's path. Returns a message (the caller throws its ConfigError) or null.
 */
export function opsProblem(cfg: Config): string | null {
  const teams = new Set(cfg.teams.map((t) => t.id));
  const integrations = new Map(cfg.integrations.map((i) => [i.name, i]));
  const names = new Map<string, number>();
  for (const [i, h] of cfg.heartbeats.entries()) {
    const at = `heartbeats[${i}]`;
    const first = names.get(h.name);
    if (first !== undefined) return `${at}.name: duplicate heartbeat name "${h.name}" (same as heartbeats[${first}])`;
    names.set(h.name, i);
    const interval = parseConfigDuration(h.interval)!;
    if (interval < HEARTBEAT_MIN_INTERVAL_MS || interval > HEARTBEAT_MAX_INTERVAL_MS) {
      return `${at}.interval: ${h.interval} is outside 10s…30d`;
    }
    if (parseConfigDuration(h.grace)! > HEARTBEAT_MAX_INTERVAL_MS) return `${at}.grace: ${h.grace} is longer than 30d`;
    if (h.integration && !integrations.has(h.integration)) return `${at}.integration: unknown integration "${h.integration}"`;
    if (h.team && !teams.has(h.team)) return `${at}.team: unknown team "${h.team}"`;
    if (!h.team && !h.integration) return `${at}: name its team (team: ops) or its integration (integration: prometheus)`;
  }
  for (const [i, integ] of cfg.integrations.entries()) {
    if (!integ.watchdog) continue;
    if (integ.type !== 'alertmanager' && integ.type !== 'grafana') {
      return `integrations[${i}].watchdog: only alertmanager and grafana integrations send a Watchdog alert`;
    }
    if (!cfg.heartbeats.some((h) => h.integration === integ.name)) {
      return `integrations[${i}].watchdog: no heartbeat names integration "${integ.name}" (add heartbeats: [{name: …, integration: ${integ.name}, interval: …}])`;
    }
  }
  const ctx = compileMatchContext(cfg);
  const windows = new Map<string, number>();
  for (const [i, w] of cfg.maintenance.entries()) {
    const at = `maintenance[${i}]`;
    const first = windows.get(w.name);
    if (first !== undefined) return `${at}.name: duplicate window name "${w.name}" (same as maintenance[${first}])`;
    windows.set(w.name, i);
    const hasMatcher = Object.values(w.match ?? {}).some((v) => v !== undefined);
    if (!hasMatcher && !w.all) return `${at}.match: a window without matchers silences every alert; write all: true if you mean it`;
    if (w.time.calendar && !(w.time.calendar in cfg.calendars)) return `${at}.time.calendar: unknown calendar "${w.time.calendar}"`;
    if (w.time.from !== undefined && w.time.from === w.time.to) return `${at}.time: from and to are both ${w.time.from}`;
    try {
      compileMatchers(w.match, ctx);
    } catch (err) {
      if (err instanceof MatcherError) return `${at}.match.${err.message}`;
      throw err;
    }
  }
  return null;
}
