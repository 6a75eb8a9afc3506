import type { Card } from './card.js';

/**
 * The mobile numbers of the people a card concerns, as robots take them for @-mentions
 * (DingTalk `atMobiles`, WeCom `mentioned_mobile_list`): digits and a leading `+` only.
 */
export function mentionMobiles(card: Card): string[] {
  return (card.mentions ?? []).flatMap((m) => (m.phone ? [m.phone.replace(/[^0-9+]/g, '')] : []));
}
