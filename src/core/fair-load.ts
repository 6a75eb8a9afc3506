import type { Config, Schedule } from '../config/schema.js';
import type { FactSettings, Period } from './analytics.js';
import type { OnCallOptions } from './oncall.js';
import { shiftsBetween, type Shift } from './shifts.js';
import { isWorkingTime } from './working-hours.js';

/**
 * Fair load (issue 20), pure: how often each person was paged, how often out of hours, and how
 * many hours they were on call in a period. Pages are kept on the alert's analytics fact
 * (docs/decisions/0024-fair-load-on-alert-facts.md); hours come from the schedules, with covers,
 * by the same `shiftsBetween` that the calendar feeds use.
 */

/** One page of one person, kept in `AlertFact.pages`. */
export interface PageFact {
  /**
   * Which page this is, the same however often it is recorded: `<run token>:<cycle>:<level>:<member>`
   * for an escalation step, `ack:<claim time>:<member>` for an ack timeout's mention.
   */
  id: string;
  member: string;
  at: Date;
  /** Out of working hours in the alert's (first) team's zone: the same test as the alert's `offHours`. */
  night: boolean;
}

/**
 * A page is "at night" when it falls outside `analytics.workingHours` (working days, `from` ≤ time <
 * `to`) in the team's zone: evenings, nights, early mornings and the whole of non-working days.
 */
export function isNight(at: Date, s: FactSettings): boolean {
  return !isWorkingTime(at, s.workingHours, s.timeZone);
}

/** The pages one notification made: one per person, however many methods reached them. */
export function pageFacts(pageId: string, members: readonly string[], at: Date, s: FactSettings): PageFact[] {
  return [...new Set(members)].map((member) => ({ id: `${pageId}:${member}`, member, at, night: isNight(at, s) }));
}

/** Two lists of pages as one, each page once (by id; the first copy kept). */
export function unionPages(a: readonly PageFact[] | undefined, b: readonly PageFact[] | undefined): PageFact[] {
  const byId = new Map<string, PageFact>();
  for (const p of [...(a ?? []), ...(b ?? [])]) if (!byId.has(p.id)) byId.set(p.id, p);
  return [...byId.values()];
}

export interface PageCounts {
  pages: number;
  nightPages: number;
}

/**
 * Pages per member that fell in `[from, to)`, by the page's own time (not the alert's opening):
 * a page at 00:10 of an alert opened at 23:55 the day before counts for the new day. Each page id
 * counts once, even if two facts carried it.
 */
export function pagesByMember(facts: ReadonlyArray<{ pages?: readonly PageFact[] }>, period: Period): Map<string, PageCounts> {
  const seen = new Set<string>();
  const out = new Map<string, PageCounts>();
  for (const f of facts) {
    for (const p of f.pages ?? []) {
      const t = p.at.getTime();
      if (t < period.from.getTime() || t >= period.to.getTime() || seen.has(p.id)) continue;
      seen.add(p.id);
      const c = out.get(p.member) ?? { pages: 0, nightPages: 0 };
      c.pages += 1;
      if (p.night) c.nightPages += 1;
      out.set(p.member, c);
    }
  }
  return out;
}

/**
 * Hours each member was on call in the period, from shifts already clipped to it: the union of
 * their shifts, so an hour on two schedules at once (primary and secondary) is one hour. Rounded
 * to hundredths.
 */
export function onCallHours(shifts: readonly Pick<Shift, 'member' | 'start' | 'end'>[], period: Period): Map<string, number> {
  const spans = new Map<string, Array<[number, number]>>();
  for (const s of shifts) {
    const from = Math.max(s.start.getTime(), period.from.getTime());
    const to = Math.min(s.end.getTime(), period.to.getTime());
    if (to <= from) continue;
    const list = spans.get(s.member) ?? [];
    list.push([from, to]);
    spans.set(s.member, list);
  }
  const out = new Map<string, number>();
  for (const [member, list] of spans) {
    list.sort((a, b) => a[0] - b[0]);
    let ms = 0;
    let [curFrom, curTo] = list[0]!;
    for (const [from, to] of list.slice(1)) {
      if (from <= curTo) curTo = Math.max(curTo, to);
      else {
        ms += curTo - curFrom;
        [curFrom, curTo] = [from, to];
      }
    }
    ms += curTo - curFrom;
    out.set(member, Math.round((ms / 3_600_000) * 100) / 100);
  }
  return out;
}

/**
 * The schedules whose hours count for a team: those it owns (`teams[].schedule`), and a schedule no
 * team owns that the team's escalation policy pages — the inverse of the calendar feed's
 * `teamsOfSchedule`. Every schedule when no team is given.
 */
export function schedulesOf(cfg: Pick<Config, 'schedules' | 'teams' | 'escalationPolicies'>, teamId?: string): Schedule[] {
  if (!teamId) return [...cfg.schedules];
  const team = cfg.teams.find((t) => t.id === teamId);
  if (!team) return [];
  const owned = new Set(cfg.teams.flatMap((t) => (t.schedule ? [t.schedule] : [])));
  const policy = cfg.escalationPolicies.find((p) => p.id === team.escalationPolicy);
  const paged = new Set(policy?.levels.flatMap((l) => l.notify.flatMap((n) => (n.schedule ? [n.schedule] : []))) ?? []);
  return cfg.schedules.filter((s) => s.id === team.schedule || (!owned.has(s.id) && paged.has(s.id)));
}

/**
 * `changePoints` looks at most 5,000 shifts of a layer ahead; a year of hourly shifts has more. The
 * period is walked in windows of this size; `onCallHours` joins a shift cut at a window's edge.
 */
const WINDOW_MS = 60 * 86_400_000;

/** Hours on call per member over some schedules, each with its own covers (`optsOf`). */
export function scheduleHours(schedules: readonly Schedule[], period: Period, optsOf: (scheduleId: string) => OnCallOptions): Map<string, number> {
  const shifts: Shift[] = [];
  for (let t = period.from.getTime(); t < period.to.getTime(); t += WINDOW_MS) {
    const from = new Date(t);
    const to = new Date(Math.min(t + WINDOW_MS, period.to.getTime()));
    for (const s of schedules) shifts.push(...shiftsBetween(s, from, to, optsOf(s.id)));
  }
  return onCallHours(shifts, period);
}

/** What each load figure counts, next to them in the REST answer (by member) and in docs/analytics.md. */
export const LOAD_DEFINITIONS = {
  pages:
    'times the member was paged in the period, by the page time: each escalation level (or ack timeout) that reached them by @-mention, DM, SMS, voice or email counts once, whatever the number of methods; pages on purpose (page, POST /api/v1/page) are escalations too',
  nightPages:
    "of those, pages outside the team's working hours (analytics.workingHours in the team's zone, default Mon–Fri 09:00–18:00): evenings, nights, early mornings and whole weekends",
  hoursOnCall: 'hours on call in the period from the schedules with the config’s and chat’s covers applied (what oncall answers); an hour on two schedules at once counts once',
} as const;
