import { applyAction } from '../actions/apply.js';
import { snoozeReply, type Snoozer } from './snooze-command.js';
import type { ChatPlatform, Directory } from '../config/directory.js';
import { CHAT_IDENTITIES, type Member } from '../config/schema.js';
import type { Alert } from '../core/alert.js';
import type { Actor, AlertAction } from '../core/types.js';
import type { Runtime } from '../runtime.js';
import type { Deliveries } from '../store/deliveries.js';
import type { Locale } from './card.js';
import { teamOfChannel } from './channels.js';
import type { BotReply, CommandRequest, InboundRequest, PlatformId } from './chat-adapter.js';
import { helpText, parseCommand, usage, type Command } from './commands.js';
import { texts, refText } from './i18n.js';
import { formatTime } from './render-card.js';
import type { OpsCommands } from './ops-commands.js';
import type { RunCommand } from './run-command.js';
import { isDatabaseUnavailable } from '../http/errors.js';
import type { OnCallCommands } from './oncall-commands.js';
import type { CalendarCommand } from './calendar-command.js';
import type { PageCommand } from './page-command.js';
import type { OverrideCommands } from './override-commands.js';
import type { SwapCommand } from './swap-command.js';

/**
 * Turns a platform-neutral chat request (button click or command) into an alert action, with
 * identity, permission and redelivery checks, and answers in the channel's language. The same
 * code serves Slack, DingTalk and WeChat.
 */
export interface ChatServiceDeps {
  rt: Pick<Runtime, 'alerts' | 'events' | 'clock' | 'directory' | 'log'>;
  deliveries: Deliveries;
  timeZone: string;
  /** Schedules the end of a mute (an Agenda job in production). */
  scheduleUnmute: (alertId: string, until: Date) => Promise<void>;
  /** `heartbeats`, `heartbeat pause`, `maint …` (src/bot/ops-commands.ts). */
  ops?: OpsCommands;
  /** `run|执行 <action> <id>`: remediation actions (src/bot/run-command.ts). */
  run?: RunCommand;
  /** Answers `stats` (src/analytics/stats-command.ts); absent, analytics is off. */
  stats?: (req: CommandRequest, command: Extract<Command, { name: 'stats' }>, locale: Locale) => Promise<BotReply | null>;
  /** `oncall` and `cover` (src/bot/oncall-commands.ts). */
  onCall?: OnCallCommands;
  /** `calendar [reset]`: the member's own feed URL (src/bot/calendar-command.ts). */
  calendar?: CalendarCommand;
  /** `page <team|member|schedule> <message>` (src/bot/page-command.ts). */
  page?: PageCommand;
  /** `overrides`, `override remove <id>` (src/bot/override-commands.ts). */
  overrides?: OverrideCommands;
  /** `swap <member> <date>`, `swap accept|decline <id>` (src/bot/swap-command.ts). */
  swap?: SwapCommand;
  /** `snooze|延后 <id> <duration>`: the escalation engine's ack-timeout snooze. */
  snooze?: Snoozer;
}

const noSchedules = (l: Locale): string => (l === 'zh' ? '还没有配置值班表（schedules）' : 'no on-call schedules are configured');

/** The identity platform of a channel kind (a DingTalk app robot and its users are "dingtalk"). */
export function identityPlatform(p: PlatformId): ChatPlatform | null {
  for (const [identity, def] of Object.entries(CHAT_IDENTITIES) as Array<[ChatPlatform, { channels: readonly PlatformId[] }]>) {
    if (def.channels.includes(p)) return identity;
  }
  return null;
}

const LIST_LIMIT = 15;

export class ChatService {
  constructor(private readonly deps: ChatServiceDeps) {}

  /**
   * While the database is down (restarting, failing over) a click or command cannot be applied:
   * the person is told privately to try again in a moment, rather than left without an answer.
   */
  readonly handle = async (req: InboundRequest): Promise<BotReply | null> => {
    try {
      return await this.answer(req);
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      this.deps.rt.log.warn({ platform: req.platform, err: (err as Error).message }, 'chat request while the database is unavailable');
      return { text: texts(this.localeOf(req.platform, req.channel, req.channelName)).unavailable, private: true };
    }
  };

  private readonly answer = async (req: InboundRequest): Promise<BotReply | null> => {
    const { rt } = this.deps;
    const now = rt.clock.now();
    if (req.deliveryId && !(await this.deps.deliveries.first(req.platform, req.deliveryId, now))) {
      rt.log.info({ platform: req.platform, deliveryId: req.deliveryId }, 'redelivered chat request ignored');
      return null;
    }
    const locale = this.localeOf(req.platform, req.channel, req.channelName);
    const t = texts(locale);
    const idp = identityPlatform(req.platform);
    const member = idp ? rt.directory.memberByPlatformId(idp, req.userId) : undefined;

    let command: Command;
    if (req.kind === 'action') {
      // A remediation action's button: the same checks and steps as `run <action> <id>`.
      if (req.action === 'run' && this.deps.run) return this.deps.run.click(req, member, locale);
      const c = this.actionCommand(req.action, req.alertRef, req.value);
      if (!c) return { text: t.refuse.notFound(req.alertRef), private: true };
      command = c;
    } else {
      const ops = await this.deps.ops?.handle(req, member, locale);
      if (ops) return ops;
      const run = await this.deps.run?.handle(req, member, locale);
      if (run) return run;
      const calendar = await this.deps.calendar?.handle(req, member, locale);
      if (calendar) return calendar;
      const page = await this.deps.page?.handle(req, member, locale);
      if (page) return page;
      const covers = await this.deps.overrides?.handle(req, member, locale);
      if (covers) return covers;
      const swap = await this.deps.swap?.handle(req, member, locale);
      if (swap) return swap;
      const parsed = parseCommand(req.text, { quotedAlertRef: req.quotedAlertRef, locale });
      if (!parsed.ok) return { text: `${parsed.error}\n${parsed.usage}`, private: true };
      command = parsed.command;
    }

    switch (command.name) {
      case 'help':
        return { text: command.topic ? usage(command.topic, locale) : helpText(locale), private: true };
      case 'list':
        return { text: await this.list(command.scope, member, req, locale), private: true };
      case 'show':
        return { text: await this.show(command.ref, locale), private: true };
      case 'stats':
        if (!this.deps.stats || req.kind !== 'command') return { text: locale === 'zh' ? '统计未开启' : 'analytics is off', private: true };
        return this.deps.stats(req, command, locale);
      case 'oncall':
        return this.deps.onCall ? this.deps.onCall.who(command.team, req, member, locale) : { text: noSchedules(locale), private: true };
      case 'cover':
        if (!member) return { text: t.refuse.unknownUser(idp ?? 'slack', req.userId), private: true };
        return this.deps.onCall ? this.deps.onCall.cover(command, req, member, locale) : { text: noSchedules(locale), private: true };
      default:
        break;
    }

    if (!member) return { text: t.refuse.unknownUser(idp ?? 'slack', req.userId), private: true };
    const actor: Actor = { kind: 'member', memberId: member.id, name: member.name, via: idp ?? req.platform, channel: req.channel };
    if (command.name === 'snooze') {
      if (!this.deps.snooze) return { text: locale === 'zh' ? '升级未开启' : 'escalation is off', private: true };
      const d = await this.deps.snooze(command.ref, { memberId: member.id, name: member.name, via: actor.via }, command.durationMs);
      const reply = snoozeReply(command.ref, d, locale, { now: rt.clock.now(), timeZone: this.deps.timeZone });
      return req.kind === 'action' && d.ok ? null : reply;
    }
    const action = this.toAction(command, member, req.platform, now);
    if ('error' in action) return { text: action.error(locale), private: true };

    const r = await applyAction(rt, command.ref, action, actor);
    if (!r.ok) return { text: this.refusal(r.status, command.ref, r.alert, locale), private: true };
    if (action.kind === 'mute') await this.deps.scheduleUnmute(r.alert.id, action.until);
    // A click needs no answer: the card itself changes for everyone. A typed command gets one line.
    if (req.kind === 'action') return null;
    return { text: this.confirmation(action, r.alert, locale), private: false };
  };

  private actionCommand(action: string, ref: string, value?: string): Command | null {
    switch (action) {
      case 'claim':
      case 'escalate':
      case 'unmute':
        return { name: action, ref };
      case 'resolve':
        return { name: 'resolve', ref };
      case 'reassign':
        return value ? { name: 'reassign', ref, member: value, mention: false } : null;
      case 'mute': {
        const ms = Number(value);
        return Number.isFinite(ms) && ms > 0 ? { name: 'mute', ref, durationMs: ms } : null;
      }
      case 'snooze': {
        const ms = Number(value);
        return Number.isFinite(ms) && ms > 0 ? { name: 'snooze', ref, durationMs: ms } : null;
      }
      default:
        return null;
    }
  }

  private toAction(
    c: Exclude<Command, { name: 'help' | 'list' | 'show' | 'stats' | 'oncall' | 'cover' | 'snooze' }>,
    _member: Member,
    platform: PlatformId,
    now: Date,
  ): AlertAction | { error: (l: Locale) => string } {
    switch (c.name) {
      case 'claim':
        return { kind: 'claim' };
      case 'resolve':
        return { kind: 'resolve', note: c.note };
      case 'escalate':
        return { kind: 'escalate', reason: c.reason };
      case 'unmute':
        return { kind: 'unmute' };
      case 'mute':
        return { kind: 'mute', until: new Date(now.getTime() + c.durationMs) };
      case 'reassign': {
        const to = findMember(this.deps.rt.directory, c.member, platform);
        if (!to) return { error: (l) => (l === 'zh' ? `找不到成员 "${c.member}"` : `unknown member "${c.member}"`) };
        return { kind: 'reassign', to: { memberId: to.id, name: to.name }, reason: c.reason };
      }
    }
  }

  private refusal(status: number, ref: string, alert: Alert | undefined, locale: Locale): string {
    const t = texts(locale);
    if (status === 404 || !alert) return t.refuse.notFound(ref);
    const fmt = (d?: Date) => (d ? formatTime(d, { now: this.deps.rt.clock.now(), timeZone: this.deps.timeZone }) : undefined);
    if (alert.state === 'resolved') return t.refuse.alreadyResolved(alert.resolvedBy?.name, fmt(alert.resolvedAt));
    if (alert.state === 'acknowledged' && alert.owner) return t.refuse.alreadyClaimed(alert.owner.name, fmt(alert.owner.at));
    return t.refuse.notAllowed(alert.shortId, alert.state);
  }

  private confirmation(action: AlertAction, alert: Alert, locale: Locale): string {
    const t = texts(locale);
    const ref = alert.shortId;
    switch (action.kind) {
      case 'claim':
        return t.done.claimed(ref);
      case 'resolve':
        return t.done.resolved(ref);
      case 'escalate':
        return t.done.escalated(ref, alert.escalationLevel);
      case 'reassign':
        return t.done.reassigned(ref, action.to.name);
      case 'mute':
        return t.done.muted(ref, formatTime(action.until, { now: this.deps.rt.clock.now(), timeZone: this.deps.timeZone }));
      case 'unmute':
        return t.done.unmuted(ref);
      case 'unclaim': // the ack timeout's, never a person's
        return action.reason;
    }
  }

  private async list(scope: 'mine' | 'open' | 'team', member: Member | undefined, req: InboundRequest, locale: Locale): Promise<string> {
    const platform = req.platform;
    const { alerts, directory } = this.deps.rt;
    const states = ['triggered', 'acknowledged'] as const;
    let found: Alert[];
    if (scope === 'mine') {
      if (!member) return texts(locale).refuse.unknownUser(identityPlatform(platform) ?? 'slack');
      found = await alerts.list({ states: [...states], ownerId: member.id, limit: LIST_LIMIT });
    } else if (scope === 'team') {
      const team =
        teamOfChannel(directory, platform, req.channel, req.channelName) ?? directory.allTeams().find((t) => member && t.members.includes(member.id));
      found = await alerts.list({ states: [...states], team: team?.id, limit: LIST_LIMIT });
    } else {
      found = await alerts.list({ states: [...states], limit: LIST_LIMIT });
    }
    const t = texts(locale);
    if (found.length === 0) return locale === 'zh' ? '没有未关闭的告警 ✅' : 'No open alerts ✅';
    return found
      .map((a) => `${SEVERITY_EMOJI[a.severity]} ${refText(a.shortId)} ${a.title} · ${t.state[a.state]}${a.owner ? ` · ${a.owner.name}` : ''}${a.maintenance ? ` · 🛠 ${locale === 'zh' ? '维护中' : 'in maintenance'}` : ''}`)
      .join('\n');
  }

  private async show(ref: string, locale: Locale): Promise<string> {
    const { alerts, clock } = this.deps.rt;
    const alert = await alerts.get(ref);
    const t = texts(locale);
    if (!alert) return t.refuse.notFound(ref);
    const timeline = await alerts.timeline(alert.id);
    const fmt = (d: Date) => formatTime(d, { now: clock.now(), timeZone: this.deps.timeZone });
    const head = `${SEVERITY_EMOJI[alert.severity]} ${refText(alert.shortId)} ${alert.title} · ${t.state[alert.state]}${alert.owner ? ` · ${alert.owner.name}` : ''}`;
    const lines = timeline.slice(-20).map((e) => `${fmt(e.at)} ${e.kind} · ${e.actor.name}${e.actor.via ? ` (${e.actor.via})` : ''}${e.text ? ` · ${e.text}` : ''}`);
    return [head, ...lines].join('\n');
  }

  private localeOf(platform: PlatformId, channel: string, channelName?: string): Locale {
    const dir = this.deps.rt.directory;
    return teamOfChannel(dir, platform, channel, channelName)?.locale ?? dir.config.locale;
  }
}

const SEVERITY_EMOJI = { critical: '🔴', warning: '🟠', info: '🔵' } as const;

/** A member named by id, by display name, or by their id on the platform (a Slack mention). */
export function findMember(dir: Directory, token: string, platform: PlatformId): Member | undefined {
  const idp = identityPlatform(platform);
  return (
    dir.member(token) ??
    dir.config.members.find((m) => m.name === token) ??
    (idp ? dir.memberByPlatformId(idp, token) : undefined)
  );
}
