import type { ChatPlatform } from '../../config/directory.js';
import type { ChatAdapter, PlatformId } from '../../bot/chat-adapter.js';
import type { Member } from '../../config/schema.js';
import type { Channel, Delivery } from '../channel.js';
import { permanent, retry, sent, type ChannelResult } from '../result.js';

/** Platforms tried for a direct message, in this order, where the member has an id and the adapter runs. */
const ORDER: ChatPlatform[] = ['slack', 'dingtalk', 'wechat'];

/**
 * `dm`: a direct chat message through the first chat adapter that can send one to this member
 * (`sendDirect`, optional on ChatAdapter). None able → permanent failure → the next method.
 */
export class DirectMessageChannel implements Channel {
  readonly method = 'dm' as const;
  readonly provider = 'chat';
  constructor(private readonly adapters: ReadonlyMap<PlatformId, ChatAdapter>) {}

  /** The platform a member's DM would go through (for receipts and metrics). */
  route(d: Pick<Delivery, 'member'>): { adapter: ChatAdapter; userId: string } | undefined {
    for (const p of ORDER) {
      const userId = d.member?.[p];
      const adapter = this.adapters.get(p);
      if (userId && adapter?.sendDirect) return { adapter, userId };
    }
    return undefined;
  }

  providerFor(d: Delivery): string {
    return this.route(d)?.adapter.platform ?? 'chat';
  }

  async send(d: Delivery): Promise<ChannelResult> {
    return this.sendText(d.member, d.content.text);
  }

  sendNotice(member: Member, text: string): Promise<ChannelResult> {
    return this.sendText(member, text);
  }

  private async sendText(member: Member | undefined, text: string): Promise<ChannelResult> {
    const r = this.route({ member } as Pick<Delivery, 'member'>);
    if (!r) return permanent(member ? `no chat platform can send ${member.id} a direct message` : 'no recipient');
    const res = await r.adapter.sendDirect!(r.userId, text);
    if (res.kind === 'sent') return sent(`${r.adapter.platform}:${r.userId}`);
    if (res.kind === 'retry') return retry(`${r.adapter.platform}: ${res.error}`, res.afterMs);
    return permanent(`${r.adapter.platform}: ${res.error}`);
  }
}
