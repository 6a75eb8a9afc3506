import type { CardActionId } from '../../src/bot/card.js';
import type { ActionRequest, CommandRequest, InboundRequest, ReplyTarget } from '../../src/bot/chat-adapter.js';

/**
 * Feishu events, as the SDK's EventDispatcher hands them over (a v2 event's `header` and `event`
 * fields merged into one object), → platform-neutral requests. Pure and defensive: the frame came
 * over our authenticated long connection, but every field is still checked, and anything odd gives
 * `null`, never a throw.
 */

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const rec = (v: unknown): Rec => (isRec(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Which of a person's Feishu ids `members[].feishu` holds. */
export type UserIdType = 'open_id' | 'user_id';

const ACTIONS: ReadonlySet<string> = new Set<CardActionId | 'run'>(['claim', 'resolve', 'escalate', 'reassign', 'mute', 'unmute', 'snooze', 'run']);

/**
 * Where an answer goes, in `ReplyTarget.handle`: the person (for an ephemeral card), the message
 * to reply to, and whether the chat is one-to-one (where any message is private already).
 */
export interface FeishuHandle {
  /** The person's id, of `idType`. */
  user: string;
  idType: UserIdType;
  /** The message that asked (a command) or the card that was clicked. */
  messageId?: string;
  p2p: boolean;
}

export const encodeHandle = (h: FeishuHandle): string => JSON.stringify(h);

export function decodeHandle(handle: string | undefined): FeishuHandle | null {
  if (!handle) return null;
  try {
    const v = rec(JSON.parse(handle));
    const user = str(v.user);
    const idType = v.idType === 'user_id' ? 'user_id' : v.idType === 'open_id' ? 'open_id' : undefined;
    if (!user || !idType) return null;
    return { user, idType, p2p: v.p2p === true, ...(str(v.messageId) ? { messageId: str(v.messageId)! } : {}) };
  } catch {
    return null;
  }
}

/** The person's id of the configured type; an open_id is always there, a user_id needs a scope. */
function personId(ids: Rec, idType: UserIdType): string | undefined {
  return str(ids[idType]);
}

/**
 * `im.message.receive_v1`: an @-mention in a group, or any message in a one-to-one chat with the
 * bot. Messages from apps (our own, other bots) are ignored. `@_user_1` placeholders are the
 * mentions: leading ones (the bot) go, later ones become the person's id (`转派 12 @李四`), which
 * the core looks up in `members[].feishu`.
 */
export function messageRequest(data: unknown, idType: UserIdType): CommandRequest | null {
  const d = rec(data);
  const sender = rec(d.sender);
  if (str(sender.sender_type) && sender.sender_type !== 'user') return null;
  const message = rec(d.message);
  const channel = str(message.chat_id);
  const userId = personId(rec(sender.sender_id), idType);
  if (!channel || !userId || message.message_type !== 'text') return null;
  let content: Rec;
  try {
    content = rec(JSON.parse(str(message.content) ?? '{}'));
  } catch {
    return null;
  }
  const mentions = Array.isArray(message.mentions) ? message.mentions.map(rec) : [];
  const text = resolveMentions(str(content.text) ?? '', mentions, idType);
  if (!text) return null;
  const p2p = message.chat_type === 'p2p';
  const messageId = str(message.message_id);
  const handle: FeishuHandle = { user: userId, idType, p2p, ...(messageId ? { messageId } : {}) };
  const req: CommandRequest = {
    kind: 'command',
    platform: 'feishu',
    userId,
    channel,
    text,
    replyTo: { platform: 'feishu', channel, handle: encodeHandle(handle) },
  };
  // Redeliveries of an event keep its event_id.
  const deliveryId = str(d.event_id) ?? messageId;
  if (deliveryId) req.deliveryId = deliveryId;
  return req;
}

function resolveMentions(text: string, mentions: Rec[], idType: UserIdType): string {
  const byKey = new Map(mentions.flatMap((m) => (str(m.key) ? [[m.key as string, m] as const] : [])));
  const withoutLeading = text.replace(/[\u00a0\u2005\u200b]/g, ' ').replace(/^(\s*@_user_\d+)+/, '');
  return withoutLeading
    .replace(/@_user_\d+/g, (key) => {
      const m = byKey.get(key);
      return m ? (personId(rec(m.id), idType) ?? `@${str(m.name) ?? ''}`) : key;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** The parts of a card click the adapter needs besides the request. */
export interface CardClick {
  /** The card's message (`open_message_id`): the card to answer with. */
  messageId?: string;
  /** A card action, or (a question's choice) the choice's command as if typed (`clicked`). */
  req: InboundRequest;
}

/**
 * `card.action.trigger`: a button or menu on one of our cards. The button's `value` is ours
 * (`{action, alertId[, value]}`, see render.ts); a menu's choice is `option`. Feishu shows a
 * button's `confirm` dialog before sending the click, so a click on such a button is confirmed.
 */
export function cardClickRequest(data: unknown, idType: UserIdType): CardClick | null {
  const d = rec(data);
  const userId = personId(rec(d.operator), idType);
  const action = rec(d.action);
  const value = rec(action.value);
  const id = str(value.action);
  const alertRef = str(value.alertId);
  const context = rec(d.context);
  const channel = str(context.open_chat_id);
  const messageId = str(context.open_message_id);
  const command = id === 'choice' ? str(value.command)?.trim() : undefined;
  if (userId && channel && command) {
    const handle: FeishuHandle = { user: userId, idType, p2p: false, ...(messageId ? { messageId } : {}) };
    const req: CommandRequest = { kind: 'command', platform: 'feishu', userId, channel, text: command, clicked: true, replyTo: { platform: 'feishu', channel, handle: encodeHandle(handle) } };
    const deliveryId = str(d.event_id);
    if (deliveryId) req.deliveryId = deliveryId;
    return { ...(messageId ? { messageId } : {}), req };
  }
  if (!userId || !id || !ACTIONS.has(id) || !alertRef || !channel) return null;
  const handle: FeishuHandle = { user: userId, idType, p2p: false, ...(messageId ? { messageId } : {}) };
  const replyTo: ReplyTarget = { platform: 'feishu', channel, handle: encodeHandle(handle) };
  const req: ActionRequest = { kind: 'action', platform: 'feishu', userId, channel, action: id as CardActionId | 'run', alertRef, replyTo };
  const choice = str(action.option) ?? str(value.value);
  if (choice) req.value = choice;
  if (id === 'run') req.confirmed = true;
  const deliveryId = str(d.event_id);
  if (deliveryId) req.deliveryId = deliveryId;
  return { ...(messageId ? { messageId } : {}), req };
}
