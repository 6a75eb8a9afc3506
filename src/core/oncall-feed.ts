import type { Config, Schedule } from '../config/schema.js';
import { renderICalendar, type ICalEvent } from './ical.js';
import type { OverrideSpan } from './oncall.js';
import { shiftsBetween, type Shift } from './shifts.js';
import { DAY_MS, wallMs } from './zoned-time.js';

/**
 * The on-call calendar feeds (issue 20), pure: a schedule's feed has every shift of the next
 * `days` days; a member's feed has their shifts on every schedule. Overrides (the config's and
 * chat's) are applied, so the feed shows what `oncall` would answer at any instant.
 */
export type FeedSubject = { kind: 'schedule'; id: string } | { kind: 'member'; id: string };

export interface FeedInput {
  config: Pick<Config, 'schedules' | 'teams' | 'members' | 'escalationPolicies' | 'calendars' | 'locale'>;
  /** Chat overrides per schedule id. */
  overrides: ReadonlyMap<string, readonly OverrideSpan[]>;
  now: Date;
  days?: number;
}

export const FEED_DAYS = 90;
/** The shift running now is shown whole, so its UID (made of its start) stays put between fetches. */
const LOOK_BACK_MS = 8 * DAY_MS;

/** The teams that own a schedule (`teams[].schedule`), else those whose policy pages it. */
export function teamsOfSchedule(cfg: FeedInput['config'], scheduleId: string): string[] {
  const own = cfg.teams.filter((t) => t.schedule === scheduleId);
  if (own.length) return own.map((t) => t.name);
  const policies = new Set(cfg.escalationPolicies.filter((p) => p.levels.some((l) => l.notify.some((n) => n.schedule === scheduleId))).map((p) => p.id));
  return cfg.teams.filter((t) => t.escalationPolicy && policies.has(t.escalationPolicy)).map((t) => t.name);
}

/** The shifts a feed shows: ending after `now`, starting before now + days. */
export function feedShifts(input: FeedInput, subject: FeedSubject): Array<Shift & { schedule: Schedule }> {
  const { config, now } = input;
  const from = new Date(now.getTime() - LOOK_BACK_MS);
  const to = new Date(now.getTime() + (input.days ?? FEED_DAYS) * DAY_MS);
  const schedules = subject.kind === 'schedule' ? config.schedules.filter((s) => s.id === subject.id) : config.schedules;
  return schedules
    .flatMap((schedule) => {
      const opts = { extraOverrides: input.overrides.get(schedule.id) ?? [], calendars: config.calendars };
      return shiftsBetween(schedule, from, to, opts).map((sh) => ({ ...sh, schedule }));
    })
    .filter((sh) => sh.end.getTime() > now.getTime() && (subject.kind === 'schedule' || sh.member === subject.id))
    .sort((a, b) => a.start.getTime() - b.start.getTime());
}

function localTime(d: Date, zone: string): string {
  return new Date(wallMs(d, zone)).toISOString().slice(0, 16).replace('T', ' ');
}

export function feedName(input: FeedInput, subject: FeedSubject): string {
  const zh = input.config.locale !== 'en';
  if (subject.kind === 'schedule') {
    const s = input.config.schedules.find((x) => x.id === subject.id);
    return zh ? `值班表：${s?.name ?? subject.id}` : `On call: ${s?.name ?? subject.id}`;
  }
  const m = input.config.members.find((x) => x.id === subject.id);
  return zh ? `我的值班：${m?.name ?? subject.id}` : `My on-call shifts: ${m?.name ?? subject.id}`;
}

export function feedEvents(input: FeedInput, subject: FeedSubject): ICalEvent[] {
  const zh = input.config.locale !== 'en';
  const nameOf = (id: string): string => input.config.members.find((m) => m.id === id)?.name ?? id;
  return feedShifts(input, subject).map((sh) => {
    const person = nameOf(sh.member);
    const teams = teamsOfSchedule(input.config, sh.schedule.id);
    const zone = sh.schedule.timeZone;
    const when = `${localTime(sh.start, zone)} – ${localTime(sh.end, zone)} (${zone})`;
    const cover = sh.override ? (zh ? '（代班）' : ' (cover)') : '';
    const summary = zh ? `值班：${person}${cover} · ${sh.schedule.name}` : `On call: ${person}${cover} · ${sh.schedule.name}`;
    const description = zh
      ? [`值班表：${sh.schedule.name}`, `值班人：${person}${cover}`, `团队：${teams.join('、') || '—'}`, `时间：${when}`].join('\n')
      : [`Schedule: ${sh.schedule.name}`, `On call: ${person}${cover}`, `Team: ${teams.join(', ') || '—'}`, `Time: ${when}`].join('\n');
    return {
      uid: `${sh.schedule.id}.${sh.member}.${sh.start.getTime()}${sh.override ? '.o' : ''}@dutybot`,
      start: sh.start,
      end: sh.end,
      summary,
      description,
      categories: [sh.schedule.name, ...teams],
    };
  });
}

export function renderFeed(input: FeedInput, subject: FeedSubject): string {
  const zone = subject.kind === 'schedule' ? input.config.schedules.find((s) => s.id === subject.id)?.timeZone : input.config.schedules[0]?.timeZone;
  return renderICalendar({ name: feedName(input, subject), timeZone: zone, now: input.now, events: feedEvents(input, subject) });
}
