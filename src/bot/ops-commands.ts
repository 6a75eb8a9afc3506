import type { Member } from '../config/schema.js';
import type { Actor } from '../core/types.js';
import { describeMatch, MaintenanceError, windowRef } from '../jobs/maintenance-window.js';
import type { Runtime } from '../runtime.js';
import type { MaintenanceDoc } from '../store/maintenance.js';
import type { Locale } from './card.js';
import { teamOfChannel } from './channels.js';
import type { BotReply, InboundRequest } from './chat-adapter.js';
import { HEARTBEAT_PAUSE_VERB, OTHER_VERBS } from './commands.js';
import { formatDuration, parseDuration } from './durations.js';
import { parseMaintArgs } from './maintenance-args.js';
import { formatTime } from './render-card.js';

/**
 * Chat commands for heartbeats and maintenance windows, in both languages:
 *
 *   heartbeats|心跳                                   list heartbeats, last ping and state
 *   heartbeat pause|心跳 暂停 <name> <duration>        pause one (1 min … 7 days)
 *   maint|维护 <matchers|all> <duration|until HH:mm> [reason]
 *   maint list|维护 列表 · maint end|维护 结束 <id>
 *
 * Answers `null` for any other text, which then goes to the alert commands (src/bot/commands.ts).
 */
// The verbs live with every other command's, so help lists them (src/bot/commands.ts).
const HEARTBEAT_VERBS = new Set(OTHER_VERBS.heartbeats);
const MAINT_VERBS = new Set(OTHER_VERBS.maint);
const PAUSE = new Set(['pause', '暂停']);
const LIST = new Set(['list', 'ls', '列表']);
const END = new Set(['end', 'stop', '结束']);
const MENTIONS = /^(\s*(?:[@＠]\S+|<@[^>]+>))*\s*/;

const say = (l: Locale, zh: string, en: string): string => (l === 'en' ? en : zh);

export class OpsCommands {
  constructor(
    private readonly rt: Runtime,
    private readonly timeZone: string,
  ) {}

  async handle(req: InboundRequest, member: Member | undefined, locale: Locale): Promise<BotReply | null> {
    if (req.kind !== 'command' || typeof req.text !== 'string') return null;
    const words = req.text.replace(MENTIONS, '').trim().split(/\s+/).filter(Boolean);
    const verb = words[0]?.normalize('NFKC').toLowerCase() ?? '';
    if (HEARTBEAT_VERBS.has(verb)) return this.heartbeat(words.slice(1), member, locale);
    if (verb === HEARTBEAT_PAUSE_VERB) return this.heartbeat(['pause', ...words.slice(1)], member, locale);
    if (MAINT_VERBS.has(verb)) return this.maint(words.slice(1), member, locale, req);
    return null;
  }

  private fmt(d: Date | undefined): string {
    return d ? formatTime(d, { now: this.rt.clock.now(), timeZone: this.timeZone }) : '—';
  }

  private async heartbeat(args: string[], member: Member | undefined, l: Locale): Promise<BotReply> {
    const monitor = this.rt.heartbeats;
    const sub = args[0]?.toLowerCase();
    if (!sub || LIST.has(sub)) {
      const rows = monitor?.list() ?? [];
      if (!rows.length) return { text: say(l, '没有配置心跳（heartbeats:）', 'No heartbeats configured (heartbeats:)'), private: true };
      const state = { up: say(l, '💚 正常', '💚 up'), down: say(l, '💔 丢失', '💔 missing'), paused: say(l, '⏸ 暂停', '⏸ paused'), disabled: say(l, '⚪ 停用', '⚪ disabled') };
      const lines = rows.map((r) => {
        const last = r.doc?.lastPingAt ? this.fmt(r.doc.lastPingAt) : say(l, '从未', 'never');
        const extra =
          r.state === 'paused'
            ? say(l, ` · 暂停至 ${this.fmt(r.doc?.pausedUntil)}`, ` · until ${this.fmt(r.doc?.pausedUntil)}`)
            : r.state === 'down'
              ? say(l, ` · 自 ${this.fmt(r.doc?.downAt)} 告警`, ` · alert since ${this.fmt(r.doc?.downAt)}`)
              : '';
        const every = formatDuration(r.spec.intervalMs, l);
        return `${state[r.state]} ${r.spec.name}${extra} · ${say(l, `上次心跳 ${last} · 每 ${every}`, `last ping ${last} · every ${every}`)}`;
      });
      return { text: lines.join('\n'), private: true };
    }
    if (PAUSE.has(sub)) {
      const usage = say(l, '用法：心跳 暂停 <名称> <时长>（heartbeat pause <name> <duration>）', 'usage: heartbeat pause <name> <duration> (心跳 暂停 <名称> <时长>)');
      const [name, ...rest] = args.slice(1);
      if (!name || !rest.length) return { text: usage, private: true };
      if (!member) return { text: say(l, '只有已登记的成员可以暂停心跳', 'only known members can pause a heartbeat'), private: true };
      if (!monitor?.specs.has(name)) return { text: say(l, `没有名为 "${name}" 的心跳`, `no heartbeat named "${name}"`), private: true };
      const ms = parseDuration(rest.join(''));
      if (ms === null) return { text: `${say(l, '无效的时长，应为 1分钟 到 7天', 'invalid duration: use 1 min to 7 days')}\n${usage}`, private: true };
      const until = new Date(this.rt.clock.now().getTime() + ms);
      await monitor.pause(name, until, member.name);
      return { text: say(l, `⏸ 心跳 ${name} 已暂停至 ${this.fmt(until)}`, `⏸ heartbeat ${name} paused until ${this.fmt(until)}`), private: false };
    }
    return { text: say(l, '用法：心跳 | 心跳 暂停 <名称> <时长>', 'usage: heartbeats | heartbeat pause <name> <duration>'), private: true };
  }

  private async maint(args: string[], member: Member | undefined, l: Locale, req: InboundRequest): Promise<BotReply> {
    const service = this.rt.maintenance;
    if (!service) return { text: say(l, '维护窗口未启用', 'maintenance windows are not running'), private: true };
    const usage = say(
      l,
      '用法：维护 <匹配条件|all> <时长|到 23:00> [原因]，如 维护 host=db-1 2h 内核升级；维护 列表；维护 结束 <编号>',
      'usage: maint <matchers|all> <duration|until 23:00> [reason], e.g. maint host=db-1 2h kernel upgrade; maint list; maint end <id>',
    );
    const sub = args[0]?.toLowerCase();
    if (!sub) return { text: usage, private: true };
    if (LIST.has(sub)) {
      const windows = service.list();
      const now = this.rt.clock.now();
      // The recap of the last day's ends (from the audit trail): who ended it, or its time.
      const ended = await service.endedSince(new Date(now.getTime() - 86_400_000));
      if (!windows.length && !ended.length) return { text: say(l, '当前没有维护窗口', 'No maintenance windows'), private: true };
      const by = (w: MaintenanceDoc) => (w.kind === 'recurring' ? say(l, '配置', 'config') : w.createdBy.name);
      const lines = windows.map(
        (w) =>
          `🛠 ${windowRef(w)} ${describeMatch(w)} · ${w.state === 'scheduled' ? say(l, `${this.fmt(w.startsAt)} 开始`, `from ${this.fmt(w.startsAt)}`) + ' · ' : ''}${say(l, `至 ${this.fmt(w.endsAt)}`, `until ${this.fmt(w.endsAt)}`)} · ${by(w)}${w.reason ? `：${w.reason}` : ''} · ${say(l, `${w.alertIds.length} 条告警`, `${w.alertIds.length} alerts`)}${w.heldIds?.length ? say(l, `，暂停 ${w.heldIds.length} 条`, `, ${w.heldIds.length} held`) : ''}`,
      );
      if (ended.length) {
        lines.push(say(l, '最近结束：', 'Recently ended:'));
        for (const w of ended) {
          const who = w.endedBy ? say(l, `由 ${w.endedBy.name} 结束`, `ended by ${w.endedBy.name}`) : say(l, '到时结束', 'ended on time');
          lines.push(`✅ ${windowRef(w)} ${describeMatch(w)} · ${by(w)}${w.reason ? `：${w.reason}` : ''} · ${who} ${this.fmt(w.endedAt)}`);
        }
      }
      return { text: lines.join('\n'), private: true };
    }
    if (!member) return { text: say(l, '只有已登记的成员可以管理维护窗口', 'only known members can manage maintenance windows'), private: true };
    const actor: Actor = { kind: 'member', memberId: member.id, name: member.name, via: req.platform, channel: req.channel };
    if (END.has(sub)) {
      const id = args[1]?.replace(/^[#＃]/, '');
      if (!id) return { text: usage, private: true };
      try {
        const r = await service.end(id, actor);
        return {
          text: say(l, `✅ 维护窗口 #${id} 已结束：触发 ${r.fired} 条，仍在告警 ${r.released.length} 条`, `✅ maintenance #${id} ended: ${r.fired} fired, ${r.released.length} still firing`),
          private: false,
        };
      } catch (err) {
        if (err instanceof MaintenanceError) return { text: l === 'en' ? err.en : err.zh, private: true };
        throw err;
      }
    }
    const now = this.rt.clock.now();
    const parsed = parseMaintArgs(args.join(' '), now, this.timeZone);
    if (!parsed.ok) return { text: `${l === 'en' ? parsed.error.en : parsed.error.zh}\n${usage}`, private: true };
    try {
      const team = teamOfChannel(this.rt.directory, req.platform, req.channel, req.channelName)?.id;
      const doc = await service.create({ match: parsed.match, all: parsed.all, startsAt: now, endsAt: parsed.endsAt, reason: parsed.reason, createdBy: actor, team });
      return {
        text: say(l, `🛠 维护窗口 #${doc._id} 已创建：${describeMatch(doc)}，至 ${this.fmt(doc.endsAt)}`, `🛠 maintenance #${doc._id} created: ${describeMatch(doc)}, until ${this.fmt(doc.endsAt)}`),
        private: false,
      };
    } catch (err) {
      if (err instanceof MaintenanceError) return { text: `${l === 'en' ? err.en : err.zh}\n${usage}`, private: true };
      throw err;
    }
  }
}
