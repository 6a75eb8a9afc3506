import type { Calendar, ChannelRef, Route } from '../config/schema.js';
import type { AlertRoute } from './alert.js';
import { compileMatchContext, compileMatchers, matchAlert, MatcherError, type CompiledMatchers, type MatcherVerdict, type MatchSubject } from './matchers.js';

/**
 * Dispatch: an ordered list of rules decides which teams, channels and escalation policy an alert
 * gets when it opens. The first rule that matches wins, unless it says `continue: true`, in which
 * case later rules are tried too and every matching rule adds its teams and channels (the first
 * escalation policy named wins). A rule without `match` matches everything (a `default` rule last).
 * When no rule matches, the integration's team gets the alert, as before dispatch existed.
 */

export interface CompiledRoute {
  name: string;
  matchers: CompiledMatchers;
  teams: string[];
  escalationPolicy?: string;
  channels: ChannelRef[];
  continue: boolean;
}

/** Why one rule did or did not match; `reached: false` for the rules after the one that stopped routing. */
export interface RuleVerdict {
  rule: string;
  reached: boolean;
  matched: boolean;
  continue: boolean;
  verdicts: MatcherVerdict[];
  /** One line a person can read: `matched: severity critical is one of critical; …`. */
  why: string;
}

export interface RoutingResult {
  route: AlertRoute;
  /** True when no rule matched and the integration's team was used. */
  fallback: boolean;
  rules: RuleVerdict[];
}

/** A rule's matchers that cannot compile; `path` is from the list (`[2].match.labels[0]`). */
export class RouteError extends MatcherError {}

export interface DispatchConfig {
  routes: Route[];
  hostGroups: Record<string, string[]>;
  calendars: Record<string, Calendar>;
  timeZone: string;
}

/** Compiles every rule once; throws {@link RouteError} with the rule's path for one that cannot compile. */
export function compileRoutes(cfg: DispatchConfig): CompiledRoute[] {
  const ctx = compileMatchContext(cfg);
  return cfg.routes.map((r, i) => {
    let matchers: CompiledMatchers;
    try {
      matchers = compileMatchers(r.match, ctx);
    } catch (err) {
      if (err instanceof MatcherError) throw new RouteError(`[${i}].match.${err.path}`, err.message.slice(err.path.length + 2));
      throw err;
    }
    return { name: r.name, matchers, teams: r.teams, escalationPolicy: r.escalationPolicy, channels: r.channels, continue: r.continue };
  });
}

/**
 * Routes an alert arriving at `at`. `fallbackTeam` is the integration's team. With `explain`,
 * every reached rule has all its matchers tested (for `routes test`); without, each stops at its
 * first failing matcher (ingestion).
 */
export function routeAlert(
  routes: readonly CompiledRoute[],
  subject: MatchSubject,
  at: Date,
  fallbackTeam: string,
  opts: { explain?: boolean } = {},
): RoutingResult {
  const rules: RuleVerdict[] = [];
  const matched: CompiledRoute[] = [];
  let stoppedBy: string | undefined;
  for (const r of routes) {
    if (stoppedBy !== undefined) {
      if (opts.explain) {
        rules.push({ rule: r.name, reached: false, matched: false, continue: r.continue, verdicts: [], why: `not tried: rule ${stoppedBy} matched first` });
      }
      continue;
    }
    const m = matchAlert(r.matchers, subject, at, opts);
    if (opts.explain) {
      const why =
        m.verdicts.length === 0
          ? 'matched: the rule has no matchers (it catches everything)'
          : `${m.matched ? 'matched' : 'did not match'}: ${m.verdicts.map((v) => `${v.ok ? '✓' : '✗'} ${v.why}`).join('; ')}`;
      rules.push({ rule: r.name, reached: true, matched: m.matched, continue: r.continue, verdicts: m.verdicts, why });
    }
    if (!m.matched) continue;
    matched.push(r);
    if (!r.continue) stoppedBy = r.name;
  }
  if (matched.length === 0) return { route: { rules: [], teams: [fallbackTeam], channels: [] }, fallback: true, rules };
  const route: AlertRoute = { rules: [], teams: [], channels: [] };
  for (const r of matched) {
    route.rules.push(r.name);
    for (const t of r.teams) if (!route.teams.includes(t)) route.teams.push(t);
    route.channels.push(...r.channels);
    if (r.escalationPolicy && !route.escalationPolicy) route.escalationPolicy = r.escalationPolicy;
  }
  return { route, fallback: false, rules };
}

/** Where an event came in: the integration's name, type, application and team. */
export interface Arrival {
  integration: string;
  source: MatchSubject['source'];
  application: string;
  team: string;
}

/** What matchers see of an event that came through an integration. */
export function subjectOf(from: Arrival, e: Omit<MatchSubject, 'integration' | 'application' | 'source'>): MatchSubject {
  return {
    integration: from.integration,
    application: from.application,
    source: from.source,
    severity: e.severity,
    title: e.title,
    description: e.description,
    host: e.host,
    service: e.service,
    labels: e.labels,
  };
}

/** The config's rules, compiled once at start; routes events as they open alerts. */
export class Dispatcher {
  private readonly routes: CompiledRoute[];

  constructor(cfg: DispatchConfig) {
    this.routes = compileRoutes(cfg);
  }

  route(from: Arrival, e: Omit<MatchSubject, 'integration' | 'application' | 'source'>, at: Date, opts: { explain?: boolean } = {}): RoutingResult {
    return routeAlert(this.routes, subjectOf(from, e), at, from.team, opts);
  }
}
