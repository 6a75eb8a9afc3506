import { CHAT_IDENTITIES, type Member } from '../config/schema.js';
import type { ChatPlatform } from '../config/directory.js';
import type { Card, CardMention } from './card.js';

/**
 * The mobile numbers of the people a card concerns, as robots take them for @-mentions
 * (DingTalk `atMobiles`, WeCom `mentioned_mobile_list`): digits and a leading `+` only.
 */
export function mentionMobiles(card: Card): string[] {
  return (card.mentions ?? []).flatMap((m) => (m.phone ? [m.phone.replace(/[^0-9+]/g, '')] : []));
}

/** A member as someone to @-mention: their name and their id on each platform (none for an unknown id). */
export function mentionOf(m: Member | undefined): CardMention[] {
  if (!m) return [];
  const mention: CardMention = { name: m.name, phone: m.phone };
  for (const p of Object.keys(CHAT_IDENTITIES) as ChatPlatform[]) mention[p] = m[p];
  return [mention];
}
