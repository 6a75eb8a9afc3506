import { configOverrides, firstOverlap } from '../core/oncall.js';
import { parseZonedDateTime } from '../core/zoned-time.js';
import { parseConfigDuration } from '../core/duration.js';
import { ConfigError } from './config-error.js';
import type { Config } from './schema.js';

/**
 * Cross-references of schedules and escalation policies, checked at start: every name must exist,
 * overrides must be readable and must not overlap, levels must come in time order. The error
 * names the key's path, like the schema's own errors.
 */
export function checkOnCall(cfg: Config): void {
  const members = new Set(cfg.members.map((m) => m.id));
  const teams = new Set(cfg.teams.map((t) => t.id));
  const schedules = new Set<string>();
  const policies = new Set<string>();
  const fail = (path: string, msg: string): never => {
    throw new ConfigError(`${path}: ${msg}`);
  };
  const member = (path: string, id: string): void => {
    if (!members.has(id)) fail(path, `unknown member "${id}"`);
  };

  cfg.schedules.forEach((s, si) => {
    const at = `schedules[${si}]`;
    if (schedules.has(s.id)) fail(`${at}.id`, `duplicate schedule id "${s.id}"`);
    schedules.add(s.id);
    s.layers.forEach((l, li) => {
      l.members.forEach((m, mi) => member(`${at}.layers[${li}].members[${mi}]`, m));
      if (l.shift !== 'daily' && l.shift !== 'weekly' && !(parseConfigDuration(l.shift)! >= 60_000)) {
        fail(`${at}.layers[${li}].shift`, `a shift must be daily, weekly or at least 1m (got "${l.shift}")`);
      }
      const cal = l.restrict?.calendar;
      if (cal && !cfg.calendars[cal]) fail(`${at}.layers[${li}].restrict.calendar`, `unknown calendar "${cal}"`);
    });
    s.overrides.forEach((o, oi) => {
      member(`${at}.overrides[${oi}].member`, o.member);
      const from = parseZonedDateTime(o.from, s.timeZone);
      const to = parseZonedDateTime(o.to, s.timeZone);
      if (!from) fail(`${at}.overrides[${oi}].from`, `not a date and time like 2026-12-05T09:00 ("${o.from}")`);
      if (!to) fail(`${at}.overrides[${oi}].to`, `not a date and time like 2026-12-05T18:00 ("${o.to}")`);
      if (to!.getTime() <= from!.getTime()) fail(`${at}.overrides[${oi}].to`, 'must be after from');
    });
    const overlap = firstOverlap(configOverrides(s));
    if (overlap) fail(`${at}.overrides[${overlap[1]}]`, `overlaps overrides[${overlap[0]}]`);
  });

  cfg.escalationPolicies.forEach((p, pi) => {
    const at = `escalationPolicies[${pi}]`;
    if (policies.has(p.id)) fail(`${at}.id`, `duplicate escalation policy id "${p.id}"`);
    policies.add(p.id);
    let previous = -1;
    p.levels.forEach((l, li) => {
      const after = parseConfigDuration(l.after) ?? 0;
      if (after < previous) fail(`${at}.levels[${li}].after`, `earlier than levels[${li - 1}].after: levels go in time order`);
      previous = after;
      l.notify.forEach((t, ti) => {
        const path = `${at}.levels[${li}].notify[${ti}]`;
        const named = [t.schedule, t.member, t.team].filter((x) => x !== undefined).length;
        // A webhook needs nobody: `{url, via: [webhook]}` alone posts to the URL (README "Paging").
        const webhookOnly = t.url !== undefined && t.via.every((v) => v === 'webhook');
        if (named > 1 || (named === 0 && !webhookOnly)) {
          fail(path, 'name exactly one of schedule, member or team (or give only url, with via: [webhook])');
        }
        if (t.schedule !== undefined && !schedules.has(t.schedule)) fail(`${path}.schedule`, `unknown schedule "${t.schedule}"`);
        if (t.member !== undefined) member(`${path}.member`, t.member);
        if (t.team !== undefined && !teams.has(t.team)) fail(`${path}.team`, `unknown team "${t.team}"`);
        if (t.via.includes('webhook') && !t.url) fail(`${path}.url`, 'required when via lists webhook');
        if (t.url && !t.via.includes('webhook')) fail(`${path}.url`, 'only for via: webhook');
      });
    });
    const ack = p.ackTimeout === undefined ? undefined : parseConfigDuration(p.ackTimeout);
    if (ack !== undefined && (ack === null || ack < 60_000 || ack > 7 * 86_400_000)) fail(`${at}.ackTimeout`, 'between 1m and 7d');
    const snoozeMax = parseConfigDuration(p.snoozeMax);
    if (snoozeMax === null || snoozeMax < 60_000 || snoozeMax > 7 * 86_400_000) fail(`${at}.snoozeMax`, 'between 1m and 7d');
  });

  cfg.teams.forEach((t, ti) => {
    if (t.escalationPolicy && !policies.has(t.escalationPolicy)) fail(`teams[${ti}].escalationPolicy`, `unknown escalation policy "${t.escalationPolicy}"`);
    if (t.schedule && !schedules.has(t.schedule)) fail(`teams[${ti}].schedule`, `unknown schedule "${t.schedule}"`);
    t.admins.forEach((a, ai) => member(`teams[${ti}].admins[${ai}]`, a));
    if (t.assign) {
      if (t.members.length === 0) fail(`teams[${ti}].assign`, 'the team has no members to take turns');
      // Round-robin among the people on call needs some of them on a schedule, or nobody is ever named.
      const scheduled = new Set(cfg.schedules.flatMap((s) => [...s.layers.flatMap((l) => l.members), ...s.overrides.map((o) => o.member)]));
      if (t.assign.among === 'on-call' && !t.members.some((m) => scheduled.has(m))) {
        fail(`teams[${ti}].assign.among`, 'on-call: none of the team\'s members is on a schedule (use among: team)');
      }
    }
  });
  cfg.routes.forEach((r, ri) => {
    if (r.escalationPolicy && !policies.has(r.escalationPolicy)) fail(`routes[${ri}].escalationPolicy`, `unknown escalation policy "${r.escalationPolicy}"`);
  });
}
