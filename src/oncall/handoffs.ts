import type { Locale } from '../bot/card.js';
import type { Notice } from '../bot/team-notice.js';
import type { Config, Schedule } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { parseConfigDuration } from '../core/duration.js';
import { changePoints, nextOnCall, whoIsOnCall, type OnCallOptions, type OverrideSpan } from '../core/oncall.js';
import { wallMs } from '../core/zoned-time.js';
import type { Logger } from '../log.js';
import type { NewOutboxMessage } from '../notify/message.js';
import { DueTimer } from '../jobs/due-timer.js';
import type { OnCallNoticeStore } from '../store/oncall-notices.js';

/**
 * Handoff notices and shift reminders (issue 20):
 * - at each change of a schedule's on-call person, one notice in the owning teams' channels: who
 *   hands over to whom and the open alerts the new person inherits;
 * - `remindBefore` (default 1 h) before a person's shift starts, a direct message to them, as an
 *   outbox row (retried like any page).
 *
 * Restart-safe like escalation steps: the truth is the schedule (pure maths) and the records.
 * Each pass looks back `CATCH_UP_MS`, so a handoff missed while dutybot was down is still
 * announced on start; a handoff notice is posted by whoever first records its deterministic `_id`
 * (at most once: a crash between recording and posting loses it, never repeats it); a reminder's
 * outbox row has a deterministic `_id`, which the outbox keeps once.
 */
export interface HandoffDeps {
  config: Pick<Config, 'schedules' | 'teams' | 'members' | 'calendars' | 'locale'>;
  overrides: { forSchedule(scheduleId: string): Promise<OverrideSpan[]> };
  notices: OnCallNoticeStore;
  /** Open alerts of the teams, any order. */
  openAlerts: (teamIds: string[]) => Promise<Array<{ shortId: number }>>;
  postToTeams: (teams: string[], render: (locale: Locale) => Notice) => Promise<void>;
  enqueue: (msgs: NewOutboxMessage[], now: Date) => Promise<unknown>;
  kickOutbox: () => void;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  log: Logger;
}

/** How late a notice may still go out (after a restart); older ones are skipped. */
export const CATCH_UP_MS = 3_600_000;
/** How far ahead a pass looks for the next thing to do (the timer sleeps at most an hour anyway). */
const LOOK_AHEAD_MS = 2 * 86_400_000;
const ALERTS_SHOWN = 20;

export class HandoffNotices {
  private readonly timer: DueTimer;

  constructor(private readonly deps: HandoffDeps) {
    this.timer = new DueTimer(deps.clock, deps.sleep, () => this.tick(), (err) => deps.log.error({ err }, 'on-call notices failed'));
  }

  /** Catches up at once, then wakes at each handoff and reminder. */
  start(): void {
    this.timer.arm(this.deps.clock.now());
  }

  /** The schedule changed (a cover, a swap, an override removed): look again now. */
  changed(): void {
    this.timer.arm(this.deps.clock.now());
  }

  stop(): void {
    this.timer.stop();
  }

  /** One pass: what is due (within the catch-up window) goes out; returns when to look next. */
  async tick(): Promise<Date> {
    const now = this.deps.clock.now();
    let next = now.getTime() + LOOK_AHEAD_MS;
    for (const s of this.deps.config.schedules) {
      const opts: OnCallOptions = { extraOverrides: await this.deps.overrides.forSchedule(s.id), calendars: this.deps.config.calendars };
      if (s.handoffNotice && this.ownerTeams(s).length) {
        for (const p of changePoints(s, new Date(now.getTime() - CATCH_UP_MS), opts, CATCH_UP_MS)) await this.handoff(s, p, opts);
        const up = changePoints(s, now, opts, LOOK_AHEAD_MS)[0];
        if (up) next = Math.min(next, up.getTime());
      }
      const remind = s.remindBefore === 'off' ? null : parseConfigDuration(s.remindBefore);
      if (remind) {
        const from = new Date(now.getTime() + remind - CATCH_UP_MS);
        for (const p of changePoints(s, from, opts, CATCH_UP_MS)) if (p.getTime() > now.getTime()) await this.remind(s, p, opts, now);
        const up = changePoints(s, new Date(now.getTime() + remind), opts, LOOK_AHEAD_MS)[0];
        if (up) next = Math.min(next, up.getTime() - remind);
      }
    }
    return new Date(next);
  }

  private ownerTeams(s: Schedule): string[] {
    return this.deps.config.teams.filter((t) => t.schedule === s.id).map((t) => t.id);
  }

  private name(id: string | undefined, locale: Locale): string {
    if (!id) return locale === 'zh' ? '无人' : 'nobody';
    return this.deps.config.members.find((m) => m.id === id)?.name ?? id;
  }

  private async handoff(s: Schedule, at: Date, opts: OnCallOptions): Promise<void> {
    const before = whoIsOnCall(s, new Date(at.getTime() - 1), opts)?.member;
    const after = whoIsOnCall(s, at, opts)?.member;
    if (before === after) return; // a point where nothing changed (a restrict window's midnight)
    const teams = this.ownerTeams(s);
    const hhmm = new Date(wallMs(at, s.timeZone)).toISOString().slice(11, 16);
    const id = `handoff:${s.id}:${at.getTime()}`;
    if (!(await this.deps.notices.claim(id, at, `${hhmm} ${before ?? '-'} → ${after ?? '-'}`))) return;
    const open = [...new Set((await this.deps.openAlerts(teams)).map((a) => a.shortId))].sort((a, b) => a - b);
    const refs = open.slice(0, ALERTS_SHOWN).map((n) => `#${n}`).join(' ') + (open.length > ALERTS_SHOWN ? ' …' : '');
    await this.deps.postToTeams(teams, (locale) => ({
      heading:
        locale === 'zh'
          ? `值班交接 ${hhmm}：${this.name(before, locale)} → ${this.name(after, locale)}；未处理 ${open.length} 条${open.length ? `：${refs}` : ''}`
          : `On-call handoff ${hhmm}: ${this.name(before, locale)} → ${this.name(after, locale)}; ${open.length} open${open.length ? `: ${refs}` : ''}`,
      lines: [locale === 'zh' ? `值班表：${s.name}` : `Schedule: ${s.name}`],
    }));
    this.deps.log.info({ schedule: s.id, at, from: before, to: after, open: open.length }, 'on-call handoff notice');
  }

  private async remind(s: Schedule, at: Date, opts: OnCallOptions, now: Date): Promise<void> {
    const who = whoIsOnCall(s, at, opts)?.member;
    if (!who || whoIsOnCall(s, new Date(at.getTime() - 1), opts)?.member === who) return;
    const owner = this.deps.config.teams.find((t) => t.schedule === s.id);
    const locale: Locale = owner?.locale ?? this.deps.config.locale;
    const until = nextOnCall(s, at, opts)?.at;
    const local = (d: Date) => new Date(wallMs(d, s.timeZone)).toISOString().slice(5, 16).replace('T', ' ');
    const text =
      locale === 'zh'
        ? `值班提醒：你将于 ${local(at)} 起值班「${s.name}」${until ? `，至 ${local(until)}` : ''}（${s.timeZone}）`
        : `On-call reminder: your shift on ${s.name} starts ${local(at)}${until ? `, until ${local(until)}` : ''} (${s.timeZone})`;
    await this.deps.enqueue(
      [{ _id: `notice:remind:${s.id}:${who}:${at.getTime()}`, alertId: '', method: 'dm', memberId: who, fallback: [], reason: 'on-call reminder', notice: { text } }],
      now,
    );
    this.deps.kickOutbox();
  }
}
