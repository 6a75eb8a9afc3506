import type { Directory } from '../config/directory.js';
import type { Member } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Locale } from './card.js';
import type { BotReply, InboundRequest } from './chat-adapter.js';
import { teamOfChannel } from './channels.js';
import { identityPlatform } from './chat-service.js';
import { OTHER_VERBS, usage } from './commands.js';
import type { OnCallCommands } from './oncall-commands.js';
import { formatTime } from './render-card.js';

/**
 * `overrides|代班列表` lists the covers made in chat that are not over yet, with their ids;
 * `override remove <id>|取消代班 <id>` removes one: the person covering or who arranged it may,
 * and a team admin (`teams[].admins`) may remove any on the team's schedule (the rule and the audit
 * trail are OnCallCommands', shared with the console). Answers `null` for any other text.
 */
const MENTIONS = /^(\s*(?:[@＠]\S+|<@[^>]+>))*\s*/;
const REMOVE = new Set(['remove', 'rm', 'delete', '取消', '删除']);
const LIST = new Set(['overrides', '代班列表']);

export interface OverrideCommandDeps {
  directory: Directory;
  /** The same list and removal as the console's (permissions, audit, handoffs told). */
  covers: Pick<OnCallCommands, 'covers' | 'findCover' | 'removeCover'>;
  clock: Clock;
  timeZone: string;
}

export class OverrideCommands {
  constructor(private readonly deps: OverrideCommandDeps) {}

  async handle(req: InboundRequest, member: Member | undefined, locale: Locale): Promise<BotReply | null> {
    if (req.kind !== 'command' || typeof req.text !== 'string') return null;
    const words = req.text.replace(MENTIONS, '').trim().split(/\s+/).filter(Boolean);
    const verb = words[0]?.normalize('NFKC').toLowerCase() ?? '';
    if (!OTHER_VERBS.overrides.includes(verb)) return null;
    const zh = locale !== 'en';
    if (!member) return { text: zh ? '你还不是 dutybot 的成员（members:）' : 'you are not a dutybot member (members:)', private: true };
    if (LIST.has(verb)) return this.list(req, locale);
    // `override remove <id>` / `取消代班 <id>`
    const args = verb === '取消代班' ? words.slice(1) : REMOVE.has(words[1]?.toLowerCase() ?? '') ? words.slice(2) : null;
    const fail = (why: string): BotReply => ({ text: `${why}\n${usage('overrides', locale)}`, private: true });
    if (!args) return fail(zh ? `未知的子命令 "${words[1] ?? ''}"` : `unknown subcommand "${words[1] ?? ''}"`);
    if (args.length !== 1) return fail(zh ? '需要一个代班编号' : 'give one override id');
    return this.remove(args[0]!.replace(/^[#＃]/, '').toLowerCase(), req, member, locale);
  }

  private schedulesFor(req: InboundRequest): string[] {
    const own = teamOfChannel(this.deps.directory, req.platform, req.channel, req.channelName);
    const teams = own?.schedule ? [own] : this.deps.directory.allTeams();
    return [...new Set(teams.flatMap((t) => (t.schedule ? [t.schedule] : [])))];
  }

  private fmt(d: Date): string {
    return formatTime(d, { now: this.deps.clock.now(), timeZone: this.deps.timeZone });
  }

  private name(id: string | undefined): string {
    return id ? (this.deps.directory.member(id)?.name ?? id) : '—';
  }

  private scheduleName(id: string): string {
    return this.deps.directory.config.schedules.find((s) => s.id === id)?.name ?? id;
  }

  private async list(req: InboundRequest, locale: Locale): Promise<BotReply> {
    const lines: string[] = [];
    for (const sid of this.schedulesFor(req)) {
      for (const o of await this.deps.covers.covers(sid)) {
        lines.push(
          locale === 'zh'
            ? `#${o.id} ${this.name(o.member)} ${this.fmt(o.from)} – ${this.fmt(o.to)}（${this.scheduleName(sid)}，${this.name(o.by)} 安排）`
            : `#${o.id} ${this.name(o.member)} ${this.fmt(o.from)} – ${this.fmt(o.to)} (${this.scheduleName(sid)}, by ${this.name(o.by)})`,
        );
      }
    }
    if (!lines.length) return { text: locale === 'zh' ? '没有未结束的代班' : 'no covers ahead', private: true };
    return { text: [locale === 'zh' ? '代班：' : 'Covers:', ...lines].join('\n'), private: true };
  }

  private async remove(id: string, req: InboundRequest, member: Member, locale: Locale): Promise<BotReply> {
    const zh = locale === 'zh';
    const found = await this.deps.covers.findCover(id);
    const via = identityPlatform(req.platform) ?? req.platform;
    const r = found ? await this.deps.covers.removeCover(found.scheduleId, id, { memberId: member.id, via, channel: req.channel }) : { kind: 'missing' as const };
    if (r.kind === 'forbidden') {
      const who = this.name(r.cover.member);
      return { text: zh ? `只有 ${who}、安排人或团队管理员可以取消代班 #${id}` : `only ${who}, who arranged it, or a team admin may remove override #${id}`, private: true };
    }
    if (r.kind === 'missing') return { text: `${zh ? `找不到代班 #${id}` : `no override #${id}`}\n${usage('overrides', locale)}`, private: true };
    const gone = r.cover;
    const span = `${this.fmt(gone.from)} – ${this.fmt(gone.to)}`;
    const sched = this.scheduleName(found!.scheduleId);
    return {
      text: zh ? `已取消代班 #${id}：${this.name(gone.member)} ${span}（${sched}）` : `Removed override #${id}: ${this.name(gone.member)} ${span} (${sched})`,
      private: false,
    };
  }
}
