import type { CardActionId } from '../../src/bot/card.js';
import type { ActionRequest, CommandRequest, InboundRequest } from '../../src/bot/chat-adapter.js';

/**
 * Stream callback payloads → platform-neutral requests, pure and defensive: the frame comes over
 * our authenticated socket, but its `data` is still checked field by field, and anything odd
 * gives `null`, never a throw.
 */

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const rec = (v: unknown): Rec => (isRec(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);

const ACTIONS: ReadonlySet<string> = new Set<CardActionId | 'run'>(['claim', 'resolve', 'escalate', 'reassign', 'mute', 'unmute', 'run']);

/** `data` of a frame: a JSON string. */
export function parseData(data: unknown): Rec | null {
  if (isRec(data)) return data;
  if (typeof data !== 'string') return null;
  try {
    const v: unknown = JSON.parse(data);
    return isRec(v) ? v : null;
  } catch {
    return null;
  }
}

/** What the adapter keeps about a robot message's `sessionWebhook` (for private answers). */
export interface RobotSession {
  userId: string;
  userName?: string;
  conversationId: string;
  /** `1` a one-to-one chat with the robot, `2` a group. */
  conversationType: string;
  /** Epoch ms; DingTalk keeps a session webhook about 1.5 hours. */
  expiresAt: number;
}

/**
 * A robot message (`/v1.0/im/bot/messages/get`): an @-mention in a group or a one-to-one message.
 * `handle` is the message's `sessionWebhook`, the answer address DingTalk gives for it.
 */
export function robotMessageRequest(data: unknown, messageId: string | undefined): { req: CommandRequest; session?: RobotSession } | null {
  const d = parseData(data);
  if (!d) return null;
  const userId = str(d.senderStaffId) ?? str(d.senderId);
  const channel = str(d.conversationId);
  if (!userId || !channel) return null;
  const text = stripMentions(messageText(d));
  if (!text) return null;
  const hook = str(d.sessionWebhook);
  const req: CommandRequest = {
    kind: 'command',
    platform: 'dingtalk',
    userId,
    channel,
    text,
    replyTo: { platform: 'dingtalk', channel, ...(hook ? { handle: hook } : {}) },
  };
  const userName = str(d.senderNick);
  if (userName) req.userName = userName;
  const deliveryId = messageId ?? str(d.msgId);
  if (deliveryId) req.deliveryId = deliveryId;
  if (!hook) return { req };
  const expires = typeof d.sessionWebhookExpiredTime === 'number' ? d.sessionWebhookExpiredTime : 0;
  return {
    req,
    session: {
      userId,
      ...(userName ? { userName } : {}),
      conversationId: channel,
      conversationType: str(d.conversationType) ?? '2',
      expiresAt: expires,
    },
  };
}

/** Text of a `text` message, or the text parts of a `richText` one. */
function messageText(d: Rec): string {
  const plain = str(rec(d.text).content);
  if (plain) return plain;
  const rich = rec(d.content).richText;
  if (Array.isArray(rich)) return rich.map((p) => str(rec(p).text) ?? '').join('');
  return '';
}

/**
 * `@dutybot 认领 12` → `认领 12`. DingTalk usually removes the robot's own mention from
 * `text.content` already, but not always (and not in every client): leading mentions go, later ones
 * stay, since `转派 12 @李四` names a person.
 */
export function stripMentions(text: string): string {
  return text
    .replace(/[\u00a0\u2005\u200b]/g, ' ')
    .replace(/^(\s*@\S+)+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The parts of a card click the adapter needs besides the request. */
export interface CardClick {
  outTrackId: string;
  /** A card action, or (a question's choice) the choice's command as if typed (`clicked`). */
  req: InboundRequest;
}

/** What the adapter knows about a card it posted, to fill what a click does not carry. */
export interface KnownCard {
  channel: string;
  alertId?: string;
}

/**
 * A card button click (`/v1.0/card/instances/callback`). Our template's buttons send
 * `{"action": "<id>", "alertId": "${alertId}", "conv": "${conv}"}` as their callback params, and
 * mute/reassign choices add `"value"` (docs/dingtalk.md). The action may also be the button's
 * `actionId`; alert and conversation fall back to what the adapter knows about the card.
 */
export function cardClickRequest(data: unknown, messageId: string | undefined, known: (outTrackId: string) => KnownCard | undefined): CardClick | null {
  const d = parseData(data);
  if (!d) return null;
  const outTrackId = str(d.outTrackId);
  const userId = str(d.userId);
  if (!outTrackId || !userId) return null;
  const privateData = rec((parseData(d.content) ?? parseData(d.value) ?? {}).cardPrivateData);
  const params = rec(privateData.params);
  const actionIds = Array.isArray(privateData.actionIds) ? privateData.actionIds : [];
  const card = known(outTrackId);
  const command = str(params.action) === 'choice' ? str(params.command)?.trim() : undefined;
  if (command) {
    const channel = str(params.conv) ?? groupSpace(d) ?? card?.channel;
    if (!channel) return null;
    const req: CommandRequest = {
      kind: 'command',
      platform: 'dingtalk',
      userId,
      channel,
      text: command,
      clicked: true,
      replyTo: { platform: 'dingtalk', channel, handle: staffHandle(userId) },
    };
    if (messageId) req.deliveryId = messageId;
    return { outTrackId, req };
  }
  const action = [str(params.action), ...actionIds.map(str)].find((a): a is string => !!a && ACTIONS.has(a));
  if (!action) return null;
  const alertRef = str(params.alertId) ?? str(params.alert) ?? card?.alertId;
  const channel = str(params.conv) ?? groupSpace(d) ?? card?.channel;
  if (!alertRef || !channel) return null;
  const value = str(params.value) ?? str(rec(params.value).value) ?? str(params[action]) ?? str(rec(params[action]).value);
  const req: ActionRequest = {
    kind: 'action',
    platform: 'dingtalk',
    userId,
    channel,
    action: action as CardActionId | 'run',
    alertRef,
    replyTo: { platform: 'dingtalk', channel, handle: staffHandle(userId) },
  };
  if (value !== undefined) req.value = value;
  const deliveryId = messageId ?? undefined;
  if (deliveryId) req.deliveryId = deliveryId;
  return { outTrackId, req };
}

/** The group's open conversation id from a callback's space (`IM_GROUP`). */
function groupSpace(d: Rec): string | undefined {
  const spaceId = str(d.spaceId) ?? str(d.openSpaceId);
  if (!spaceId) return undefined;
  const prefixed = /^dtv1\.card\/\/IM_GROUP\.(.+)$/.exec(spaceId);
  if (prefixed) return prefixed[1];
  const type = str(d.spaceType) ?? '';
  return /GROUP/i.test(type) ? spaceId : undefined;
}

/**
 * `ReplyTarget.handle` is either a sessionWebhook URL (robot messages) or `staff:<userId>` for
 * a card click, which carries no webhook: private answers then go to the person's one-to-one chat
 * with the robot.
 */
export const STAFF_PREFIX = 'staff:';
export const staffHandle = (userId: string): string => `${STAFF_PREFIX}${userId}`;

