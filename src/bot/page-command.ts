import type { Member } from '../config/schema.js';
import type { Pager } from '../oncall/paging.js';
import type { Locale } from './card.js';
import type { BotReply, InboundRequest } from './chat-adapter.js';
import { identityPlatform } from './chat-service.js';
import { OTHER_VERBS, usage } from './commands.js';

/**
 * `page|呼叫 <team|member|schedule> <message>`: opens an alert for that target (src/oncall/paging.ts)
 * and says so in the channel. Bad input is answered privately with the form; nothing is opened.
 * Answers `null` for any other text.
 */
const VERBS = new Set(OTHER_VERBS.page);
const MENTIONS = /^(\s*(?:[@＠]\S+|<@[^>]+>))*\s*/;
const SLACK_USER = /^<@([A-Za-z0-9._-]+)(?:\|[^>]*)?>$/;

export class PageCommand {
  constructor(
    private readonly pager: Pager,
    private readonly memberByPlatformId: (platform: InboundRequest['platform'], id: string) => Member | undefined,
  ) {}

  async handle(req: InboundRequest, member: Member | undefined, locale: Locale): Promise<BotReply | null> {
    if (req.kind !== 'command' || typeof req.text !== 'string') return null;
    const text = req.text.replace(MENTIONS, '').trim();
    const verb = /^\S+/.exec(text)?.[0] ?? '';
    if (!VERBS.has(verb.normalize('NFKC').toLowerCase())) return null;
    const zh = locale !== 'en';
    const rest = text.slice(verb.length).trim();
    const tok = /^(<[^>]*>|\S+)/.exec(rest)?.[0] ?? '';
    const message = rest.slice(tok.length).trim();
    const fail = (why: string): BotReply => ({ text: `${why}\n${usage('page', locale)}`, private: true });
    if (!member) return { text: zh ? '你还不是 dutybot 的成员（members:），不能呼叫' : 'you are not a dutybot member (members:), so you cannot page', private: true };
    if (!tok) return fail(zh ? '缺少呼叫对象' : 'missing whom to page');
    const slackId = SLACK_USER.exec(tok)?.[1];
    const target = this.pager.target(slackId ?? tok, (id) => this.memberByPlatformId(req.platform, id));
    if (!target) return fail(zh ? `找不到呼叫对象 "${tok}"（团队、成员或值班表）` : `no team, member or schedule "${tok}"`);
    if (!message) return fail(zh ? '缺少呼叫原因' : 'missing the message');
    if (message.length > 500) return fail(zh ? '原因太长（最多 500 字）' : 'message too long (at most 500 characters)');
    const via = identityPlatform(req.platform) ?? req.platform;
    const r = await this.pager.page(target, message, { memberId: member.id, name: member.name, via });
    const who = this.pager.targetName(target);
    return { text: zh ? `已呼叫 ${who}：#${r.shortId} ${message}` : `Paged ${who}: #${r.shortId} ${message}`, private: false };
  }
}
