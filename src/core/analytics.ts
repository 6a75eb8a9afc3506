import type { WorkingHours } from '../config/schema.js';
import type { Alert } from './alert.js';
import type { Severity, SourceType } from './types.js';
import { pageFacts, pagesByMember, unionPages, type PageFact } from './fair-load.js';
import { dayOf, isWorkingTime } from './working-hours.js';

/**
 * Analytics maths, pure. Each alert has one small fact (what analytics needs to know about it),
 * kept up to date from the domain events (src/analytics/recorder.ts) and summed over a period
 * here. Definitions of every figure are in the README's "Analytics" section.
 */

export type ResolvedByKind = 'person' | 'source';

/** One alert, as analytics sees it. Stored in `analyticsfacts` with `_id` = the alert id. */
export interface AlertFact {
  alertId: string;
  shortId: number;
  /** The alert's `version` this fact was taken from: an older snapshot never overwrites a newer one. */
  version: number;
  integration: string;
  source: SourceType;
  application: string;
  /** The teams dispatch chose (the integration's team when the alert was not routed). */
  teams: string[];
  severity: Severity;
  title: string;
  dedupKey: string;
  /** Trigger events the alert absorbed: the noise it made. */
  events: number;
  /** When dutybot received the first event (receipt): the alert's `firstSeenAt`. */
  openedAt: Date;
  /**
   * When the problem started: the source's start, or the receipt when the source gave none (or a
   * time after the receipt, within the clock skew it is allowed). Absent on facts written before
   * migration 0010 whose alert was gone: read as `openedAt`.
   */
  sourceStartedAt?: Date;
  /** When the source says the problem ended (only for alerts the source resolved). */
  sourceEndedAt?: Date;
  /** Time to detect: `sourceStartedAt` → `openedAt` (see {@link DEFINITIONS}). */
  secondsToDetect?: number;
  /** `YYYY-MM-DD` of `openedAt` in the first team's zone. */
  day: string;
  offHours: boolean;
  /** Names of the dispatch rules that matched. */
  rules: string[];
  claimedAt?: Date;
  /** Member id of whoever first took the alert (absent when the source acknowledged it). */
  claimedBy?: string;
  /** Time to claim: `openedAt` → `claimedAt`. */
  secondsToClaim?: number;
  resolvedAt?: Date;
  resolvedBy?: ResolvedByKind;
  /** Member id when a person resolved it. */
  resolvedByMember?: string;
  /**
   * Time to resolve: `sourceStartedAt` → `sourceEndedAt`, or → `resolvedAt` when the source gave
   * no end (a person resolved it). Facts written before migration 0010 measured it from `openedAt`.
   */
  secondsToResolve?: number;
  /** The highest escalation level reached (0 = never escalated). */
  escalations: number;
  /** Muted at least once. */
  muted: boolean;
  /** The people this alert paged, each page once (src/core/fair-load.ts); absent on older facts. */
  pages?: PageFact[];
}

/** Where an alert's fact is bucketed: its zone and the working hours that apply there. */
export interface FactSettings {
  timeZone: string;
  workingHours: WorkingHours;
}

export interface FactEvent {
  type: 'opened' | 'deduplicated' | 'claimed' | 'resolved' | 'reassigned' | 'escalated' | 'muted' | 'unmuted' | 'reopened' | 'snoozed' | 'rebuild' | 'maintenance';
  alert: Alert;
  /** The alert before the change, for transitions. */
  previous?: Alert;
  /** People this event paged (an escalation step, an ack timeout's mention): `id` names the page. */
  paged?: { id: string; members: readonly string[]; at: Date };
}

/**
 * How one event changes a fact, in the terms of a MongoDB update: `set` is the alert's snapshot
 * (applied only when newer), `max` only grows, `once` is written when the event is the one that
 * establishes it (the first claim).
 */
export interface FactPatch {
  alertId: string;
  version: number;
  set: Omit<AlertFact, 'escalations' | 'muted' | 'claimedBy' | 'pages'>;
  max: { escalations: number };
  /** `muted: true` once muted; never set back to false. */
  flags: { muted?: true };
  once: { claimedBy?: string };
  /** Pages to add to the fact's list (`$addToSet`: the same page recorded twice is one). */
  pages: PageFact[];
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function teamsOf(alert: Pick<Alert, 'team' | 'route'>): string[] {
  return alert.route?.teams.length ? [...alert.route.teams] : [alert.team];
}

/** The patch one event makes. `settingsOf(team)` gives the first team's zone and hours. */
export function factPatch(event: FactEvent, settingsOf: (team: string) => FactSettings): FactPatch {
  const a = event.alert;
  const teams = teamsOf(a);
  const s = settingsOf(teams[0]!);
  const resolvedBy: ResolvedByKind | undefined = a.resolvedAt ? (a.resolvedBy?.kind === 'member' ? 'person' : 'source') : undefined;
  const times = sourceDurations(a);
  const set = dropUndefined({
    alertId: a.id,
    shortId: a.shortId,
    version: a.version,
    integration: a.integration,
    source: a.source,
    application: a.application,
    teams,
    severity: a.severity,
    title: a.title,
    dedupKey: a.dedupKey,
    events: a.count,
    openedAt: a.firstSeenAt,
    sourceStartedAt: times.startedAt,
    sourceEndedAt: a.resolvedAt ? a.sourceEndedAt : undefined,
    secondsToDetect: times.secondsToDetect,
    day: dayOf(a.firstSeenAt, s.timeZone),
    offHours: !isWorkingTime(a.firstSeenAt, s.workingHours, s.timeZone),
    rules: a.route?.rules ? [...a.route.rules] : [],
    claimedAt: a.claimedAt,
    secondsToClaim: a.claimedAt ? (a.secondsToClaim ?? seconds(a.firstSeenAt, a.claimedAt)) : undefined,
    resolvedAt: a.resolvedAt,
    resolvedBy,
    resolvedByMember: resolvedBy === 'person' ? a.resolvedBy?.memberId : undefined,
    secondsToResolve: times.secondsToResolve,
  });
  // The first claim: a `claimed` event, or a reassign of an alert nobody had claimed yet (it
  // counts as claimed on the assignee's behalf). A rebuild takes the owner it finds.
  const firstClaim =
    (event.type === 'claimed' || (event.type === 'reassigned' && !event.previous?.claimedAt) || event.type === 'rebuild') && a.claimedAt;
  return {
    alertId: a.id,
    version: a.version,
    set,
    max: { escalations: a.escalationLevel },
    flags: event.type === 'muted' || a.mutedUntil ? { muted: true } : {},
    once: firstClaim && a.owner?.memberId ? { claimedBy: a.owner.memberId } : {},
    pages: event.paged ? pageFacts(event.paged.id, event.paged.members, event.paged.at, s) : [],
  };
}

/** Two patches of one alert as one (the newer snapshot wins; `max`, flags and `once` combine). */
export function mergePatches(older: FactPatch, newer: FactPatch): FactPatch {
  const latest = newer.version >= older.version ? newer : older;
  return {
    alertId: latest.alertId,
    version: latest.version,
    set: latest.set,
    max: { escalations: Math.max(older.max.escalations, newer.max.escalations) },
    flags: { ...older.flags, ...newer.flags },
    // A claim after the last one was taken away (an ack timeout) is the claim that stood: the latest's.
    once: { ...(latest === newer ? older : newer).once, ...latest.once },
    pages: unionPages(older.pages, newer.pages),
  };
}

/** What the store does with a patch, in memory: the same rules as its MongoDB update. */
export function applyPatch(fact: AlertFact | undefined, p: FactPatch): AlertFact {
  const claimedBy = claimer(fact, p);
  const base: AlertFact = fact && fact.version > p.version ? fact : ({ ...p.set, escalations: 0, muted: false } as AlertFact);
  return {
    ...base,
    escalations: Math.max(fact?.escalations ?? 0, p.max.escalations),
    muted: Boolean(fact?.muted || p.flags.muted),
    ...(claimedBy ? { claimedBy } : {}),
    ...(fact?.pages?.length || p.pages.length ? { pages: unionPages(fact?.pages, p.pages) } : {}),
  };
}

/** As the store's `$set`: a claim event's claimer replaces an older one (a reassign carries none). */
function claimer(fact: AlertFact | undefined, p: FactPatch): string | undefined {
  if (p.once.claimedBy && (!fact || p.version >= fact.version)) return p.once.claimedBy;
  return fact?.claimedBy ?? p.once.claimedBy;
}

/** The times of an alert that the three durations are measured between. */
export interface AlertTimes {
  /** Receipt of the first event. */
  firstSeenAt: Date;
  sourceStartedAt?: Date;
  sourceEndedAt?: Date;
  resolvedAt?: Date;
}

/**
 * Time to detect and time to resolve of one alert, by the definitions in {@link DEFINITIONS}.
 * The start is the earlier of the source's start and the receipt: a source clock a little ahead
 * of ours (src/core/source-times.ts allows five minutes) neither makes detection negative nor
 * shortens the time to resolve. Durations never go below zero.
 */
export function sourceDurations(a: AlertTimes): { startedAt: Date; secondsToDetect: number; secondsToResolve?: number } {
  const reported = a.sourceStartedAt && Number.isFinite(a.sourceStartedAt.getTime()) ? a.sourceStartedAt : a.firstSeenAt;
  const startedAt = reported.getTime() < a.firstSeenAt.getTime() ? reported : a.firstSeenAt;
  const end = a.resolvedAt ? (a.sourceEndedAt ?? a.resolvedAt) : undefined;
  return {
    startedAt,
    secondsToDetect: seconds(startedAt, a.firstSeenAt),
    ...(end ? { secondsToResolve: seconds(startedAt, end) } : {}),
  };
}

const seconds = (from: Date, to: Date): number => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));

// ---------------------------------------------------------------------------------------------
// Figures

export interface Period {
  /** Inclusive. */
  from: Date;
  /** Exclusive: the period's end. Claims and resolutions after it do not count. */
  to: Date;
}

/** Figures of a set of alerts opened in a period, as things stood at the period's end. */
export interface Figures {
  opened: number;
  claimed: number;
  resolved: number;
  resolvedByPerson: number;
  resolvedBySource: number;
  resolvedBeforeClaim: number;
  /** Not resolved at the period's end. */
  openAtEnd: number;
  escalated: number;
  muted: number;
  offHours: number;
  mttaSeconds: number | null;
  mttaP90Seconds: number | null;
  mttrSeconds: number | null;
  mttrP90Seconds: number | null;
  /** Mean time to detect of every alert opened in the period (detection happens at receipt). */
  mttdSeconds: number | null;
  mttdP90Seconds: number | null;
}

/**
 * What each time figure measures, shown next to it by the REST API and the README. One clock per
 * figure: detect and claim meet at the receipt; resolve spans both.
 */
export const DEFINITIONS = {
  mttdSeconds: 'time to detect: from when the source says the problem started (the receipt time if it gave none) to when dutybot received it; every alert opened in the period',
  mttaSeconds: 'time to claim: from receipt to the first claim; alerts claimed before the period end',
  mttrSeconds: 'time to resolve: from when the source says the problem started to when it says it ended, or to the resolve when it gave no end (a person resolved it); alerts resolved before the period end',
} as const;

/** Nearest-rank percentile (p in 0..1) of unsorted values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

/** Arithmetic mean rounded to the second; null for none. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return Math.round(values.reduce((s, v) => s + v, 0) / values.length);
}

const before = (d: Date | undefined, end: Date): d is Date => d !== undefined && d.getTime() < end.getTime();

/** Facts opened in the period (callers may pass more; those outside are ignored). */
export function inPeriod(facts: readonly AlertFact[], period: Period): AlertFact[] {
  return facts.filter((f) => f.openedAt.getTime() >= period.from.getTime() && f.openedAt.getTime() < period.to.getTime());
}

export function figures(facts: readonly AlertFact[], period: Period): Figures {
  const fs = inPeriod(facts, period);
  const claimed = fs.filter((f) => before(f.claimedAt, period.to));
  const resolved = fs.filter((f) => before(f.resolvedAt, period.to));
  const tta = claimed.map((f) => f.secondsToClaim ?? 0);
  const ttr = resolved.map((f) => f.secondsToResolve ?? 0);
  const ttd = fs.map((f) => f.secondsToDetect ?? 0);
  return {
    opened: fs.length,
    claimed: claimed.length,
    resolved: resolved.length,
    resolvedByPerson: resolved.filter((f) => f.resolvedBy === 'person').length,
    resolvedBySource: resolved.filter((f) => f.resolvedBy !== 'person').length,
    resolvedBeforeClaim: resolved.filter((f) => !before(f.claimedAt, period.to) || f.claimedAt!.getTime() > f.resolvedAt!.getTime()).length,
    openAtEnd: fs.length - resolved.length,
    escalated: fs.filter((f) => f.escalations > 0).length,
    muted: fs.filter((f) => f.muted).length,
    offHours: fs.filter((f) => f.offHours).length,
    mttaSeconds: mean(tta),
    mttaP90Seconds: percentile(tta, 0.9),
    mttrSeconds: mean(ttr),
    mttrP90Seconds: percentile(ttr, 0.9),
    mttdSeconds: mean(ttd),
    mttdP90Seconds: percentile(ttd, 0.9),
  };
}

export type GroupBy = 'application' | 'team' | 'member';

export interface GroupRow extends Figures {
  key: string;
}

/** What one member did with alerts opened in the period. */
export interface MemberRow {
  key: string;
  claims: number;
  mttaSeconds: number | null;
  mttaP90Seconds: number | null;
  resolves: number;
  mttrSeconds: number | null;
  mttrP90Seconds: number | null;
  /** Of their claims, alerts that opened out of working hours. */
  offHoursClaims: number;
  /** Times they were paged in the period (src/core/fair-load.ts), by the page's own time. */
  pages: number;
  /** Of those, pages out of the team's working hours. */
  nightPages: number;
  /** Hours on call in the period, covers applied (given by the caller: schedules are not facts). */
  hoursOnCall: number;
}

/** Figures per application or per team (an alert routed to two teams counts for both), by key. */
export function byGroup(facts: readonly AlertFact[], period: Period, by: 'application' | 'team'): GroupRow[] {
  const groups = new Map<string, AlertFact[]>();
  for (const f of inPeriod(facts, period)) {
    for (const key of by === 'team' ? f.teams : [f.application]) {
      const list = groups.get(key) ?? [];
      list.push(f);
      groups.set(key, list);
    }
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, list]) => ({ key, ...figures(list, period) }));
}

/**
 * Per member: claims and resolves of the alerts opened in the period; pages sent in the period
 * (the facts passed may include alerts opened a little before it, whose later pages count); and
 * the hours on call the caller computed from the schedules. A member appears when any is non-zero.
 */
export function byMember(facts: readonly AlertFact[], period: Period, hoursOnCall: ReadonlyMap<string, number> = new Map()): MemberRow[] {
  const rows = new Map<string, { claims: AlertFact[]; resolves: AlertFact[] }>();
  const row = (m: string) => {
    let r = rows.get(m);
    if (!r) rows.set(m, (r = { claims: [], resolves: [] }));
    return r;
  };
  for (const f of inPeriod(facts, period)) {
    if (f.claimedBy && before(f.claimedAt, period.to)) row(f.claimedBy).claims.push(f);
    if (f.resolvedByMember && before(f.resolvedAt, period.to)) row(f.resolvedByMember).resolves.push(f);
  }
  const pages = pagesByMember(facts, period);
  for (const m of [...pages.keys(), ...[...hoursOnCall].filter(([, h]) => h > 0).map(([m]) => m)]) row(m);
  return [...rows.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, r]) => {
      const tta = r.claims.map((f) => f.secondsToClaim ?? 0);
      const ttr = r.resolves.map((f) => f.secondsToResolve ?? 0);
      return {
        key,
        claims: r.claims.length,
        mttaSeconds: mean(tta),
        mttaP90Seconds: percentile(tta, 0.9),
        resolves: r.resolves.length,
        mttrSeconds: mean(ttr),
        mttrP90Seconds: percentile(ttr, 0.9),
        offHoursClaims: r.claims.filter((f) => f.offHours).length,
        pages: pages.get(key)?.pages ?? 0,
        nightPages: pages.get(key)?.nightPages ?? 0,
        hoursOnCall: hoursOnCall.get(key) ?? 0,
      };
    });
}

/**
 * One day of a period: the figures of the alerts opened that day, by the same definitions as the
 * period's (claims and resolutions count up to the period's end). Charts of alerts per day and of
 * time to detect, claim and resolve over time read these, in the REST answer and the console alike.
 */
export interface DayPoint extends Figures {
  day: string;
}

/** One point per day of the period (days with no alert included), in the facts' day buckets. */
export function daily(facts: readonly AlertFact[], period: Period, timeZone: string): DayPoint[] {
  const days: string[] = [];
  for (let t = period.from.getTime(); t < period.to.getTime(); t += 3_600_000) {
    const d = dayOf(new Date(t), timeZone);
    if (days.at(-1) !== d) days.push(d);
  }
  // One pass to bucket: a year of days over many facts must not filter the facts once per day.
  const byDay = new Map<string, AlertFact[]>();
  for (const f of inPeriod(facts, period)) {
    const list = byDay.get(f.day);
    if (list) list.push(f);
    else byDay.set(f.day, [f]);
  }
  return days.map((day) => ({ day, ...figures(byDay.get(day) ?? [], period) }));
}
