import type { ChatPlatform } from '../../config/directory.js';
import { CHAT_IDENTITIES, type Member } from '../../config/schema.js';
import type { ChatAdapter, PlatformId } from '../../bot/chat-adapter.js';
import type { Channel, Delivery } from '../channel.js';
import { permanent, retry, sent, type ChannelResult } from '../result.js';

/** Platforms tried for a direct message, in this order, where the member has an id and the adapter runs. */
const ORDER = Object.keys(CHAT_IDENTITIES) as ChatPlatform[];

/** The adapter and user id a direct message to this member goes through (also the console's sign-in links). */
export function directRoute(adapters: ReadonlyMap<PlatformId, ChatAdapter>, member: Member): { adapter: ChatAdapter; userId: string } | undefined {
  for (const p of ORDER) {
    const userId = member[p];
    // The app adapter of an identity has its id (`dingtalk`, not `dingtalk-webhook`).
    const adapter = adapters.get(p);
    if (userId && adapter?.sendDirect) return { adapter, userId };
  }
  return undefined;
}

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
    return d.member ? directRoute(this.adapters, d.member) : undefined;
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
