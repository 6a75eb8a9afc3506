import type { CardActionId } from '../../src/bot/card.js';
import type { ActionRequest, CommandRequest } from '../../src/bot/chat-adapter.js';
import { ACTION_PREFIX, CHOICE_PREFIX, RUN_PREFIX } from './render.js';

/**
 * Slack payloads → platform-neutral requests, pure and defensive: a payload is signed by Slack,
 * but its shape is still checked field by field, and anything odd gives `null`, never a throw.
 */

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const rec = (v: unknown): Rec => (isRec(v) ? v : {});

const ACTIONS: ReadonlySet<string> = new Set<CardActionId>(['claim', 'resolve', 'escalate', 'reassign', 'mute', 'unmute', 'snooze']);

/** A `block_actions` click on one of our cards (`action` is the element that was used). */
export function actionRequest(body: unknown, action: unknown): ActionRequest | null {
  const b = rec(body);
  const a = rec(action);
  const actionId = str(a.action_id);
  if (!actionId?.startsWith(ACTION_PREFIX)) return null;
  const id = actionId.slice(ACTION_PREFIX.length);
  // A remediation action's button (`dutybot:run:<name>`): Slack sends it only once its confirm dialog was accepted.
  const run = actionId.startsWith(RUN_PREFIX) ? actionId.slice(RUN_PREFIX.length) : undefined;
  if (!ACTIONS.has(id) && !run) return null;
  const user = rec(b.user);
  const userId = str(user.id);
  const container = rec(b.container);
  const channel = str(rec(b.channel).id) ?? str(container.channel_id);
  if (!userId || !channel) return null;

  // A button carries the alert id as its value; a select carries the chosen option, and the alert
  // id comes from the actions block's `block_id` (`dutybot:<alertId>`).
  const selected = str(rec(a.selected_option).value);
  const blockId = str(a.block_id);
  const fromBlock = blockId?.startsWith(ACTION_PREFIX) ? blockId.slice(ACTION_PREFIX.length) : undefined;
  const alertRef = selected !== undefined ? fromBlock : (str(a.value) ?? fromBlock);
  if (!alertRef) return null;

  const req: ActionRequest = {
    kind: 'action',
    platform: 'slack',
    userId,
    channel,
    action: run ? 'run' : (id as CardActionId),
    alertRef,
    replyTo: { platform: 'slack', channel, handle: userId },
    deliveryId: `${str(container.message_ts) ?? str(rec(b.message).ts) ?? ''}:${str(a.action_ts) ?? ''}:${userId}`,
  };
  const userName = str(user.username) ?? str(user.name);
  if (userName) req.userName = userName;
  if (selected !== undefined) req.value = selected;
  if (run) {
    req.value = run;
    req.confirmed = true;
  }
  return req;
}

/**
 * A click on a question's choice (`ChatAdapter.ask`): the button's value is the command it stands
 * for, and it comes back as that command, typed by the clicker.
 */
export function choiceRequest(body: unknown, action: unknown): CommandRequest | null {
  const b = rec(body);
  const a = rec(action);
  if (!str(a.action_id)?.startsWith(CHOICE_PREFIX)) return null;
  const text = str(a.value)?.trim();
  const user = rec(b.user);
  const userId = str(user.id);
  const channel = str(rec(b.channel).id) ?? str(rec(b.container).channel_id);
  if (!text || !userId || !channel) return null;
  const req: CommandRequest = {
    kind: 'command',
    platform: 'slack',
    userId,
    channel,
    text,
    clicked: true,
    replyTo: { platform: 'slack', channel, handle: userId },
    deliveryId: `${str(rec(b.container).message_ts) ?? str(rec(b.message).ts) ?? ''}:${str(a.action_ts) ?? ''}:${userId}`,
  };
  const userName = str(user.username) ?? str(user.name);
  if (userName) req.userName = userName;
  return req;
}

/** A slash command (`/alert claim 12` → text `claim 12`). */
export function slashCommandRequest(command: unknown): CommandRequest | null {
  const c = rec(command);
  const userId = str(c.user_id);
  const channel = str(c.channel_id);
  if (!userId || !channel) return null;
  const req: CommandRequest = {
    kind: 'command',
    platform: 'slack',
    userId,
    channel,
    text: typeof c.text === 'string' ? c.text.trim() : '',
    replyTo: { platform: 'slack', channel, handle: userId },
  };
  const userName = str(c.user_name);
  if (userName) req.userName = userName;
  const trigger = str(c.trigger_id);
  if (trigger) req.deliveryId = trigger;
  return req;
}

/**
 * An `app_mention` or a direct message to the bot. Only the bot's own mention is removed: other
 * mentions stay, since `reassign 12 <@U123>` names a person by their Slack id.
 */
export function messageRequest(body: unknown, event: unknown, botUserId: string | undefined): CommandRequest | null {
  const e = rec(event);
  const userId = str(e.user);
  const channel = str(e.channel);
  // Messages from bots (ours included) and edits/joins (`subtype`) are not commands.
  if (!userId || !channel || str(e.bot_id) || str(e.subtype)) return null;
  const raw = typeof e.text === 'string' ? e.text : '';
  const mention = botUserId ? new RegExp(`<@${escapeRegExp(botUserId)}(?:\\|[^>]*)?>`, 'g') : /^\s*<@[A-Z0-9]+(?:\|[^>]*)?>/;
  const text = decodeEntities(raw.replace(mention, ' ')).replace(/\s+/g, ' ').trim();
  if (!text) return null;
  const req: CommandRequest = {
    kind: 'command',
    platform: 'slack',
    userId,
    channel,
    text,
    replyTo: { platform: 'slack', channel, handle: userId },
  };
  const eventId = str(rec(body).event_id);
  if (eventId) req.deliveryId = eventId;
  return req;
}

/** Slack escapes `&`, `<`, `>` in message text; commands are matched on what the person typed. */
function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Can Bolt process this body without throwing? Mirrors Bolt's type detection and source building
 * (helpers.ts `getTypeAndConversation`, App.ts `buildSource`): they read `event.channel`,
 * `event.user`, `event.item`, `event.subteam` with the `in` operator and `body.user.id` without
 * checks, so a signed but odd body would get a 500 from a TypeError; a body of no known type
 * would hang three seconds before Bolt's 404. Such bodies get a 400 at once instead.
 */
export function isKnownSlackBody(body: unknown): boolean {
  if (!isRec(body)) return false;
  if ('event' in body) {
    const e = body.event;
    if (!isRec(e)) return false;
    const objOrString = (k: string): boolean => !(k in e) || typeof e[k] === 'string' || isRec(e[k]);
    const obj = (k: string): boolean => !(k in e) || isRec(e[k]);
    return objOrString('channel') && objOrString('user') && obj('item') && obj('subteam');
  }
  if (typeof body.command === 'string') return true;
  // Every interactive payload (actions, options, shortcuts, views) names its user.
  if (!isRec(body.user)) return false;
  if (Array.isArray(body.actions)) return body.actions.every(isRec);
  if (typeof body.name === 'string') return true;
  if (body.type === 'view_submission' || body.type === 'view_closed') return isRec(body.view);
  return typeof body.type === 'string' && ['block_suggestion', 'dialog_submission', 'shortcut', 'message_action'].includes(body.type);
}

