import type { Calendar, Matchers } from '../config/schema.js';
import { compileHostGroups, hostInGroup, type CompiledHostGroups } from './host-groups.js';
import { labelOf, parseLabelMatcher, testLabelMatcher, type LabelMatcher } from './label-matcher.js';
import { compileCalendar, compileTimeWindow, type CompiledCalendar, type CompiledWindow } from './time-window.js';
import type { Label, Severity, SourceType } from './types.js';

/**
 * The matchers of a route (and, later, of maintenance windows and outgoing webhooks): every given
 * matcher must hold. Compiled once when the config loads; `matchAlert` then only tests.
 */

/** What matchers look at: an open alert, or an incoming event with its integration. */
export interface MatchSubject {
  integration: string;
  application: string;
  source: SourceType;
  severity: Severity;
  title: string;
  description?: string;
  host?: string;
  service?: string;
  labels: readonly Label[];
}

/** What compiling needs from the config, compiled once (see {@link compileMatchContext}). */
export interface MatchContext {
  hostGroups: CompiledHostGroups;
  calendars: ReadonlyMap<string, CompiledCalendar>;
  /** Zone of time windows that name none (the config's `timeZone`). */
  timeZone: string;
}

export function compileMatchContext(cfg: {
  hostGroups: Record<string, string[]>;
  calendars: Record<string, Calendar>;
  timeZone: string;
}): MatchContext {
  return {
    hostGroups: compileHostGroups(cfg.hostGroups),
    calendars: new Map(Object.entries(cfg.calendars).map(([name, c]) => [name, compileCalendar(name, c)])),
    timeZone: cfg.timeZone,
  };
}

export interface MatcherVerdict {
  /** The matcher's key as written in the config (`severity`, `labels[1]`, `time`). */
  matcher: string;
  ok: boolean;
  /** Why it did or did not hold, in words: `severity critical is one of critical`. */
  why: string;
}

export interface MatchResult {
  matched: boolean;
  /** With `explain`, one verdict per matcher; without, none (testing stops at the first failure). */
  verdicts: MatcherVerdict[];
}

interface Check {
  matcher: string;
  test(s: MatchSubject, at: Date): boolean;
  /** Only called when an explanation is asked for: routing an alert builds no strings. */
  why(s: MatchSubject, at: Date): string;
}

export interface CompiledMatchers {
  readonly checks: readonly Check[];
}

/** A matcher that cannot be compiled; `path` is relative to the matchers (`labels[2]`, `title`). */
export class MatcherError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'MatcherError';
  }
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
const quote = (s: string | undefined, max = 80): string => (s === undefined ? 'absent' : JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s));

/** Case-insensitive, unanchored (a search), as people write "title contains". */
export function compileTextRegex(source: string, path: string): RegExp {
  try {
    return new RegExp(source, 'i');
  } catch (err) {
    throw new MatcherError(path, `the regex does not compile (${(err as Error).message})`);
  }
}

export function compileMatchers(m: Matchers | undefined, ctx: MatchContext): CompiledMatchers {
  const checks: Check[] = [];
  if (!m) return { checks };
  const oneOf = (key: 'integration' | 'application' | 'source', list: readonly string[] | undefined) => {
    if (!list) return;
    checks.push({
      matcher: key,
      test: (s) => list.includes(s[key]),
      why: (s) => `${key} ${s[key]} is ${list.includes(s[key]) ? '' : 'not '}one of ${list.join(', ')}`,
    });
  };
  oneOf('integration', m.integration);
  oneOf('application', m.application);
  oneOf('source', m.source);
  if (m.severity) {
    const list: readonly string[] = m.severity;
    checks.push({
      matcher: 'severity',
      test: (s) => list.includes(s.severity),
      why: (s) => `severity ${s.severity} is ${list.includes(s.severity) ? '' : 'not '}one of ${list.join(', ')}`,
    });
  }
  if (m.severityAtLeast) {
    const min = RANK[m.severityAtLeast as Severity];
    checks.push({
      matcher: 'severityAtLeast',
      test: (s) => RANK[s.severity] >= min,
      why: (s) => `severity ${s.severity} is ${RANK[s.severity] >= min ? 'at least' : 'below'} ${m.severityAtLeast}`,
    });
  }
  (m.labels ?? []).forEach((text, i) => {
    const path = `labels[${i}]`;
    let lm: LabelMatcher;
    try {
      lm = parseLabelMatcher(text);
    } catch (err) {
      throw new MatcherError(path, (err as Error).message);
    }
    const actualOf = (s: MatchSubject) => labelOf(s.labels, lm.name, s);
    checks.push({
      matcher: path,
      test: (s) => testLabelMatcher(lm, actualOf(s)),
      why: (s) => {
        const actual = actualOf(s);
        return `${lm.text} ${testLabelMatcher(lm, actual) ? 'holds' : 'does not hold'}: ${lm.name} is ${quote(actual)}`;
      },
    });
  });
  if (m.hostGroup) {
    const groups = m.hostGroup;
    groups.forEach((g, i) => {
      if (!ctx.hostGroups.has(g)) throw new MatcherError(`hostGroup[${i}]`, `unknown host group "${g}"`);
    });
    const found = (s: MatchSubject): { group: string; pattern: string } | undefined => {
      if (!s.host) return undefined;
      for (const g of groups) {
        const p = hostInGroup(ctx.hostGroups, g, s.host);
        if (p) return { group: g, pattern: p.text };
      }
      return undefined;
    };
    checks.push({
      matcher: 'hostGroup',
      test: (s) => found(s) !== undefined,
      why: (s) => {
        const f = found(s);
        if (!s.host) return `the alert names no host (host groups ${groups.join(', ')})`;
        return f ? `host ${s.host} is in group ${f.group} (${f.pattern})` : `host ${s.host} is in none of the groups ${groups.join(', ')}`;
      },
    });
  }
  const regexCheck = (key: 'title' | 'description' | 'text', source: string | undefined) => {
    if (source === undefined) return;
    const re = compileTextRegex(source, key);
    const hit = (s: MatchSubject): string | undefined => {
      if (key !== 'description' && re.test(s.title)) return s.title;
      if (key !== 'title' && re.test(s.description ?? '')) return s.description ?? '';
      return undefined;
    };
    checks.push({
      matcher: key,
      test: (s) => hit(s) !== undefined,
      why: (s) => {
        const h = hit(s);
        if (h !== undefined) return `${key} /${source}/i matches ${quote(h)}`;
        const values = [...new Set(key === 'title' ? [s.title] : key === 'description' ? [s.description ?? ''] : [s.title, s.description ?? ''])];
        return `${key} /${source}/i does not match ${values.filter((v) => v !== '').map((v) => quote(v)).join(' or ') || 'an empty text'}`;
      },
    });
  };
  regexCheck('title', m.title);
  regexCheck('description', m.description);
  regexCheck('text', m.text);
  for (const key of ['time', 'notTime'] as const) {
    const w = m[key];
    if (!w) continue;
    let window: CompiledWindow;
    try {
      window = compileTimeWindow(w, ctx.calendars, ctx.timeZone);
    } catch (err) {
      throw new MatcherError(`${key}.calendar`, (err as Error).message);
    }
    const negate = key === 'notTime';
    checks.push({
      matcher: key,
      test: (_s, at) => window.holds(at) !== negate,
      why: (_s, at) => {
        const v = window.explain(at);
        return negate ? `${v.ok ? 'inside' : 'outside'} the excluded window: ${v.why}` : v.why;
      },
    });
  }
  return { checks };
}

/**
 * Tests compiled matchers against an alert (or event) at an instant (when it arrived). No
 * matchers at all match everything. With `explain`, every matcher is tested so that the answer
 * says why each did or did not hold.
 */
export function matchAlert(compiled: CompiledMatchers, subject: MatchSubject, at: Date, opts: { explain?: boolean } = {}): MatchResult {
  const verdicts: MatcherVerdict[] = [];
  let matched = true;
  for (const c of compiled.checks) {
    const ok = c.test(subject, at);
    if (opts.explain) verdicts.push({ matcher: c.matcher, ok, why: c.why(subject, at) });
    if (!ok) {
      matched = false;
      if (!opts.explain) break;
    }
  }
  return { matched, verdicts };
}
