import type { Member } from '../config/schema.js';
import type { Locale } from './card.js';
import type { BotReply, InboundRequest } from './chat-adapter.js';
import { OTHER_VERBS, usage } from './commands.js';
import { identityPlatform } from './chat-service.js';

/**
 * `calendar|日历` and `calendar reset|日历 重置`: a member's own on-call feed URL, always answered
 * privately (the URL is a secret). Answers `null` for any other text.
 */
export interface FeedUrls {
  url(subject: { kind: 'member'; id: string }): Promise<string>;
  reset(subject: { kind: 'member'; id: string }, who: { by: string; via: string }): Promise<string>;
}

const VERBS = new Set(OTHER_VERBS.calendar);
const RESET = new Set(['reset', 'renew', '重置', '更换']);
const MENTIONS = /^(\s*(?:[@＠]\S+|<@[^>]+>))*\s*/;

export class CalendarCommand {
  constructor(private readonly feeds: FeedUrls) {}

  async handle(req: InboundRequest, member: Member | undefined, locale: Locale): Promise<BotReply | null> {
    if (req.kind !== 'command' || typeof req.text !== 'string') return null;
    const words = req.text.replace(MENTIONS, '').trim().split(/\s+/).filter(Boolean).map((w) => w.normalize('NFKC').toLowerCase());
    if (!VERBS.has(words[0] ?? '')) return null;
    const zh = locale !== 'en';
    const reset = words.length === 2 && RESET.has(words[1]!);
    if (words.length > 2 || (words.length === 2 && !reset)) {
      return { text: `${zh ? `多余的内容 "${words.slice(1).join(' ')}"` : `unexpected text "${words.slice(1).join(' ')}"`}\n${usage('calendar', locale)}`, private: true };
    }
    if (!member) {
      const text = zh ? '你还不是 dutybot 的成员（members:），没有个人值班日历' : 'you are not a dutybot member (members:), so you have no on-call calendar';
      return { text, private: true };
    }
    const subject = { kind: 'member' as const, id: member.id };
    if (reset) {
      const url = await this.feeds.reset(subject, { by: member.id, via: identityPlatform(req.platform) ?? req.platform });
      return { text: zh ? `已重置值班日历链接，旧链接已失效：\n${url}` : `Your on-call calendar link was reset; the old one no longer works:\n${url}`, private: true };
    }
    const url = await this.feeds.url(subject);
    const text = zh
      ? `你的值班日历（iCalendar，未来 90 天的班次，请勿外传）：\n${url}\n链接泄露时发送「日历 重置」`
      : `Your on-call calendar (iCalendar, your shifts for the next 90 days; keep it private):\n${url}\nIf it leaks, send "calendar reset"`;
    return { text, private: true };
  }
}
