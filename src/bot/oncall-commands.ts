import type { Directory } from '../config/directory.js';
import type { Member, Schedule, Team } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { nextOnCall, whoIsOnCall } from '../core/oncall.js';
import type { OnCallOverrideStore, StoredOverride } from '../store/oncall-overrides.js';
import type { Locale } from './card.js';
import type { BotReply, InboundRequest } from './chat-adapter.js';
import { teamOfChannel } from './channels.js';
import { findMember, identityPlatform } from './chat-service.js';
import type { Command } from './commands.js';
import { usage } from './commands.js';
import { formatTime } from './render-card.js';

/**
 * `oncall [team]` and `cover <member|me> <duration>` on every platform. A cover is an override from
 * now on the schedule of the asker's team (the channel's team first), stored in MongoDB and merged
 * after the config's overrides, so it wins and escalation pages the person covering at once.
 */
export class OnCallCommands {
  constructor(
    private readonly deps: {
      directory: Directory;
      overrides: OnCallOverrideStore;
      clock: Clock;
      timeZone: string;
      /** The schedules' calendar feed URLs, shown under each schedule (src/oncall/feeds.ts). */
      feedUrl?: (scheduleId: string) => Promise<string>;
      /** Told after a cover, so handoff notices and reminders see the new timeline at once. */
      changed?: () => void;
    },
  ) {}

  async who(teamToken: string | undefined, req: InboundRequest, asker: Member | undefined, locale: Locale): Promise<BotReply> {
    const dir = this.deps.directory;
    let teams: Team[];
    if (teamToken) {
      const t = dir.team(teamToken) ?? dir.allTeams().find((x) => x.name === teamToken);
      if (!t) return { text: `${locale === 'zh' ? `找不到团队 "${teamToken}"` : `unknown team "${teamToken}"`}\n${usage('oncall', locale)}`, private: true };
      teams = [t];
    } else {
      const ofChannel = teamOfChannel(dir, req.platform, req.channel, req.channelName);
      teams = ofChannel ? [ofChannel] : dir.allTeams().filter((t) => asker && t.members.includes(asker.id));
      if (!teams.some((t) => this.schedulesOf(t).length)) teams = dir.allTeams().filter((t) => this.schedulesOf(t).length);
    }
    const now = this.deps.clock.now();
    const lines: string[] = [];
    for (const team of teams) {
      const schedules = this.schedulesOf(team);
      if (!schedules.length) continue;
      lines.push(locale === 'zh' ? `值班 · ${team.name}` : `On call · ${team.name}`);
      for (const s of schedules) {
        lines.push(await this.line(s, now, locale));
        if (this.deps.feedUrl) lines.push(`  📅 ${await this.deps.feedUrl(s.id)}`);
      }
    }
    // The personal feed is a secret of its own: only named here, sent privately by `calendar`.
    if (lines.length && this.deps.feedUrl) lines.push(locale === 'zh' ? '个人值班日历：私聊发送「日历」' : 'Your own on-call calendar: send "calendar" privately');
    if (!lines.length) return { text: locale === 'zh' ? '还没有配置值班表（schedules）' : 'no on-call schedules are configured', private: true };
    return { text: lines.join('\n'), private: false };
  }

  async cover(c: Extract<Command, { name: 'cover' }>, req: InboundRequest, asker: Member, locale: Locale): Promise<BotReply> {
    const dir = this.deps.directory;
    const who = c.member === undefined ? asker : findMember(dir, c.member, req.platform);
    if (!who) return { text: `${locale === 'zh' ? `找不到成员 "${c.member}"` : `unknown member "${c.member}"`}\n${usage('cover', locale)}`, private: true };
    const team =
      [teamOfChannel(dir, req.platform, req.channel, req.channelName), ...dir.allTeams().filter((t) => t.members.includes(asker.id))].find(
        (t): t is Team => !!t?.schedule,
      );
    const schedule = team?.schedule ? this.schedule(team.schedule) : undefined;
    if (!schedule) {
      const text = locale === 'zh' ? '这个群和你所在的团队都没有值班表（teams[].schedule）' : "neither this channel's team nor yours has an on-call schedule (teams[].schedule)";
      return { text, private: true };
    }
    const now = this.deps.clock.now();
    const to = new Date(now.getTime() + c.durationMs);
    await this.addCover(schedule.id, { member: who.id, from: now, to, by: asker.id, via: identityPlatform(req.platform) ?? req.platform, channel: req.channel });
    const until = formatTime(to, { now, timeZone: this.deps.timeZone });
    return {
      text: locale === 'zh' ? `已安排 ${who.name} 代班「${schedule.name}」至 ${until}` : `${who.name} covers ${schedule.name} until ${until}`,
      private: false,
    };
  }

  /** The team's own schedule, then those its escalation policy pages. */
  private schedulesOf(team: Team): Schedule[] {
    const cfg = this.deps.directory.config;
    const ids = new Set<string>(team.schedule ? [team.schedule] : []);
    const policy = cfg.escalationPolicies.find((p) => p.id === team.escalationPolicy);
    for (const l of policy?.levels ?? []) for (const t of l.notify) if (t.schedule) ids.add(t.schedule);
    return [...ids].flatMap((id) => (this.schedule(id) ? [this.schedule(id)!] : []));
  }

  private schedule(id: string): Schedule | undefined {
    return this.deps.directory.config.schedules.find((s) => s.id === id);
  }

  /** One way to add a cover (chat's `cover`, the console): stored with who and from where, then handoffs are told. */
  async addCover(scheduleId: string, span: { member: string; from: Date; to: Date; by: string; via?: string; channel?: string }): Promise<void> {
    await this.deps.overrides.add(scheduleId, span, this.deps.clock.now());
    this.deps.changed?.();
  }

  /** A schedule's covers that are not over yet, in the order they apply (chat's `overrides`, the console's list). */
  async covers(scheduleId: string): Promise<StoredOverride[]> {
    const now = this.deps.clock.now().getTime();
    return (await this.deps.overrides.list(scheduleId)).filter((o) => o.to.getTime() > now);
  }

  /** The schedule holding the cover of this id (ids are short and chat names none), if any. */
  async findCover(id: string): Promise<{ scheduleId: string; cover: StoredOverride } | undefined> {
    for (const s of this.deps.directory.config.schedules) {
      const cover = (await this.deps.overrides.list(s.id)).find((o) => o.id === id);
      if (cover) return { scheduleId: s.id, cover };
    }
    return undefined;
  }

  /**
   * Who may remove a cover: the person covering, who arranged it, an admin of a team on that
   * schedule (`teams[].admins`), and a console admin.
   */
  mayRemoveCover(who: CoverRemover, scheduleId: string, cover: StoredOverride): boolean {
    if (who.admin) return true;
    const id = who.memberId;
    if (!id) return false;
    return cover.member === id || cover.by === id || this.deps.directory.allTeams().some((t) => t.schedule === scheduleId && t.admins.includes(id));
  }

  /** One way to remove a cover (chat's `override remove`, the console): checked, removed, audited, handoffs told. */
  async removeCover(scheduleId: string, id: string, who: CoverRemover & { via: string; channel?: string }): Promise<RemoveCoverResult> {
    const cover = (await this.deps.overrides.list(scheduleId)).find((o) => o.id === id);
    if (!cover) return { kind: 'missing' };
    if (!this.mayRemoveCover(who, scheduleId, cover)) return { kind: 'forbidden', cover };
    // A console admin of the printed link has no member: the trail says "console", as for covers it adds.
    const by = who.memberId ?? 'console';
    const gone = await this.deps.overrides.remove(scheduleId, id, { by, via: who.via, ...(who.channel ? { channel: who.channel } : {}) }, this.deps.clock.now());
    if (!gone) return { kind: 'missing' };
    this.deps.changed?.();
    return { kind: 'removed', cover: gone };
  }

  /**
   * Who is on call on a schedule from now for `days`, as consecutive spans (the console's
   * calendar): the same `whoIsOnCall`/`nextOnCall` as `oncall`, overrides included.
   */
  async calendar(scheduleId: string, days: number): Promise<Array<{ member?: string; name?: string; from: Date; to: Date; cover: boolean }>> {
    const s = this.schedule(scheduleId);
    if (!s) return [];
    const opts = { extraOverrides: await this.deps.overrides.forSchedule(s.id), calendars: this.deps.directory.config.calendars };
    const start = this.deps.clock.now();
    const end = new Date(start.getTime() + days * 86_400_000);
    const out: Array<{ member?: string; name?: string; from: Date; to: Date; cover: boolean }> = [];
    let at = start;
    // Bounded: a schedule changing hands every hour for weeks is still a page, not a loop.
    for (let i = 0; i < 500 && at < end; i++) {
      const cur = whoIsOnCall(s, at, opts);
      const next = nextOnCall(s, at, opts);
      const to = next && next.at < end ? next.at : end;
      out.push({ ...(cur ? { member: cur.member, name: this.deps.directory.member(cur.member)?.name ?? cur.member } : {}), from: at, to, cover: cur?.source === 'override' });
      at = to;
    }
    return out;
  }

  /** The schedules a viewer may cover on: those of their teams (all for an admin). */
  schedulesOfTeams(teamIds: readonly string[]): Schedule[] {
    const ids = new Set<string>();
    for (const t of this.deps.directory.allTeams()) if (teamIds.includes(t.id)) for (const s of this.schedulesOf(t)) ids.add(s.id);
    return [...ids].flatMap((id) => (this.schedule(id) ? [this.schedule(id)!] : []));
  }

  /** Every team with a schedule: who is on call on each now, and who is next from when (the console's on-call page). */
  async board(): Promise<OnCallBoardTeam[]> {
    const now = this.deps.clock.now();
    const out: OnCallBoardTeam[] = [];
    for (const team of this.deps.directory.allTeams()) {
      const schedules = this.schedulesOf(team);
      if (!schedules.length) continue;
      out.push({ team: { id: team.id, name: team.name }, schedules: await Promise.all(schedules.map((s) => this.nowAndNext(s, now))) });
    }
    return out;
  }

  private async nowAndNext(s: Schedule, now: Date): Promise<OnCallBoardSchedule> {
    const opts = { extraOverrides: await this.deps.overrides.forSchedule(s.id), calendars: this.deps.directory.config.calendars };
    const person = (id: string) => ({ id, name: this.deps.directory.member(id)?.name ?? id });
    const cur = whoIsOnCall(s, now, opts);
    const next = nextOnCall(s, now, opts);
    return {
      id: s.id,
      name: s.name,
      timeZone: s.timeZone,
      ...(cur ? { now: { ...person(cur.member), cover: cur.source === 'override' } } : {}),
      ...(next ? { next: { ...(next.member ? person(next.member) : {}), at: next.at } } : {}),
    };
  }

  private async line(s: Schedule, now: Date, locale: Locale): Promise<string> {
    const b = await this.nowAndNext(s, now);
    const nobody = locale === 'zh' ? '无人' : 'nobody';
    const fmt = (d: Date): string => formatTime(d, { now, timeZone: this.deps.timeZone });
    const override = b.now?.cover ? (locale === 'zh' ? '（代班）' : ' (cover)') : '';
    const next = b.next;
    if (locale === 'zh') return `${s.name}：${b.now?.name ?? nobody}${override}${next ? `，${fmt(next.at)} 起 ${next.name ?? nobody}` : ''}`;
    return `${s.name}: ${b.now?.name ?? nobody}${override}${next ? `, then ${next.name ?? nobody} from ${fmt(next.at)}` : ''}`;
  }
}

/** Who asks to remove a cover: a member, or a console admin (who may remove any). */
export interface CoverRemover {
  memberId?: string;
  admin?: boolean;
}

export type RemoveCoverResult = { kind: 'removed'; cover: StoredOverride } | { kind: 'forbidden'; cover: StoredOverride } | { kind: 'missing' };

export interface OnCallBoardSchedule {
  id: string;
  name: string;
  timeZone: string;
  now?: { id: string; name: string; cover: boolean };
  next?: { id?: string; name?: string; at: Date };
}

export interface OnCallBoardTeam {
  team: { id: string; name: string };
  schedules: OnCallBoardSchedule[];
}
