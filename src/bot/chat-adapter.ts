import type { Router } from 'express';
import type { ChannelRef } from '../config/schema.js';
import type { Card, CardActionId, CardMention, Locale } from './card.js';
import type { RatePolicy } from './rate-policy.js';

/**
 * The one interface between dutybot's core and a chat platform. Implementations live in
 * `adapters/<platform>/`, the only code that imports a chat SDK. The core never knows which
 * platform it talks to: it posts and updates cards, and it receives platform-neutral requests.
 */

/**
 * A platform kind as written in `teams[].channels[].platform`: the config schema's channel kinds
 * are the list, so a new platform is declared once, there.
 */
export type PlatformId = ChannelRef['platform'];

/** Where a posted card lives, enough to update it later. Stored on the alert's card record. */
export interface MessageRef {
  platform: PlatformId;
  channel: string;
  /** Slack `ts`, DingTalk `outTrackId`, WeChat message id. */
  messageId: string;
}

/**
 * Typed send outcome: the outbox retries `retry` after the given delay (a platform's 429 and
 * `Retry-After`, or a network error), gives up on `failed`, and records `sent`. `sent` means the
 * platform accepted a request, never "there was nothing to do". `unsupported`: the platform
 * cannot do this at all (a robot asked to edit); nothing was sent and the caller must do
 * something else.
 */
export type SendResult<T> =
  | { kind: 'sent'; value: T }
  | { kind: 'retry'; afterMs: number; error: string }
  | { kind: 'failed'; error: string }
  | { kind: 'unsupported'; error: string };

export interface AdapterCapabilities {
  /**
   * Messages can be edited in place (Slack, DingTalk interactive cards). Without it the core never
   * calls `update()`: it posts new messages instead (follow-up lines, "+14 more since 09:41").
   */
  edit: boolean;
  /** Cards carry buttons whose clicks come back to us. */
  buttons: boolean;
  /** The adapter receives commands (it is not an outbound-only webhook robot). */
  receive: boolean;
}

/** Where to answer a request: the adapter fills it, the core passes it back unchanged. */
export interface ReplyTarget {
  platform: PlatformId;
  channel: string;
  /** Platform-specific handle (Slack: the user id, for ephemeral answers; DingTalk: `sessionWebhook`; WeChat: the talker). */
  handle?: string;
}

interface InboundBase {
  platform: PlatformId;
  /** The person's id on that platform (Slack user id, DingTalk staffId, WeChat contact id). */
  userId: string;
  /** Display name on the platform, for answers to people dutybot does not know. */
  userName?: string;
  channel: string;
  /** The channel's human name when the config may name it so (a WeChat group's topic). */
  channelName?: string;
  replyTo: ReplyTarget;
  /**
   * The platform's id of this delivery, when it has one: a redelivered request with the same id
   * (Slack retries, DingTalk callbacks) must not repeat an action.
   */
  deliveryId?: string;
}

/** A button click or menu choice on a card. */
export interface ActionRequest extends InboundBase {
  kind: 'action';
  /** A card action, or `run`: a remediation action's button (its name in `value`). */
  action: CardActionId | 'run';
  /** `12` or the alert's id. */
  alertRef: string;
  /** The chosen option (member id for reassign, duration for mute, the action's name for run). */
  value?: string;
  /** The platform already had the person confirm (Slack's button `confirm` dialog). */
  confirmed?: boolean;
}

/** A text command: slash command, @-mention, or a group message. */
export interface CommandRequest extends InboundBase {
  kind: 'command';
  text: string;
  /** When the message quotes a card, the alert it belongs to (WeChat "reply with 认领"). */
  quotedAlertRef?: string;
  /**
   * The person clicked a choice of a question (`ChatAdapter.ask`) rather than typing: `text` is
   * the choice's command. It is checked like a typed one (a click can do no more than typing);
   * the answer is the question updated in place, so a click that succeeds gets no reply.
   */
  clicked?: boolean;
}

export type InboundRequest = ActionRequest | CommandRequest;

/** What the core answers; `private` answers go only to the person (ephemeral on Slack). */
export interface BotReply {
  /** Empty: handled, nothing more to say (the answer is a card that was posted or updated). */
  text: string;
  private: boolean;
}

export type InboundHandler = (req: InboundRequest) => Promise<BotReply | null>;

/** Words with a picture: a chart in a `stats` answer or a weekly report. */
export interface ImageMessage {
  title: string;
  /** Lines in the channel's language, `\n`-separated. */
  text: string;
  png: Buffer;
  /** A signed, expiring link of dutybot's to the same PNG, for platforms that show images by URL. */
  url: string;
  /** Noisy alerts still open, offered a mute in one choice where the platform has buttons. */
  mutes?: {
    /** Placeholder of the choice (`静默 Mute`). */
    label: string;
    options: Array<{ value: string; label: string }>;
    alerts: Array<{ alertId: string; text: string }>;
  };
}

/**
 * A new message that @-mentions people about a posted card, so their phones buzz: on a platform
 * that edits its cards, an edit notifies nobody (src/bot/mention-delivery.ts).
 */
export interface MentionMessage {
  /** Whom to @-mention; the adapter writes each its platform's way (Slack `<@U…>`). */
  people: CardMention[];
  /** What to tell them, in the team's language, without the mentions. */
  text: string;
  /** Show it in the channel too, not only next to the card (an ack timeout: a claim lapsed). */
  broadcast: boolean;
}

/**
 * A question to one person with a few answers (a swap request), for platforms that draw choices
 * as buttons (`ChatAdapter.ask`). Nothing in it is about swaps: a click on a choice comes back as
 * a `CommandRequest` whose text is the choice's `command` (`swap accept 3f9a1c`), with `clicked`,
 * so it goes through the same code and permission checks as the command typed by hand.
 */
export interface QuestionMessage {
  locale: Locale;
  /** `换班请求 #3f9a1c（Primary）` */
  heading: string;
  lines: string[];
  /** Buttons; none once the question is answered or expired. */
  choices: QuestionChoice[];
  /** How it ended (`✅ 张三 已同意 · 10:05`), shown instead of the choices. */
  status?: string;
  /** Who is asked: @-mentioned where the platform's new messages can. */
  mentions: CardMention[];
  /** The whole question as plain text (notification fallback). */
  text: string;
}

export interface QuestionChoice {
  label: string;
  /** What the click does: the command as the person would type it. */
  command: string;
  style?: 'primary' | 'danger';
}

export interface AdapterStatus {
  state: 'off' | 'starting' | 'ready' | 'degraded';
  detail?: string;
}

export interface ChatAdapter {
  readonly platform: PlatformId;
  readonly capabilities: AdapterCapabilities;
  /**
   * How much one channel takes (src/bot/rate-policy.ts). Absent: the built-in policy of the
   * platforms dutybot started with, else a cautious default.
   */
  readonly ratePolicy?: RatePolicy;
  /**
   * Routes the platform calls on dutybot's own port (e.g. `/slack/events`), available after
   * `start()`. Absent for adapters that connect out (Socket Mode, DingTalk Stream, wechaty).
   */
  readonly router?: Router;
  /** Connects (or mounts its HTTP routes) and starts delivering requests to `handler`. */
  start(handler: InboundHandler): Promise<void>;
  stop(): Promise<void>;
  /**
   * Posts a card. `key` is its record's id (src/store/cards.ts): an adapter whose platform can
   * carry it on the message (Slack message metadata) does, so that `findPosted` can find it.
   */
  post(channel: string, card: Card, key?: string): Promise<SendResult<MessageRef>>;
  /**
   * The message posted earlier with this `key` among the channel's recent messages, or null.
   * Asked before posting a card again whose last post may have reached the platform unrecorded
   * (a crash or a time-out: decision 0005). Absent where the platform cannot tell: the card is
   * posted again. `failed` (e.g. a missing scope) also means "cannot tell".
   */
  findPosted?(channel: string, key: string): Promise<SendResult<MessageRef | null>>;
  /** Replaces a posted card. Called only when `capabilities.edit`; others answer `unsupported`. */
  update(ref: MessageRef, card: Card): Promise<SendResult<void>>;
  /**
   * @-mentions people about the posted card `ref` with a new message (Slack: a reply in the card's
   * thread). Absent on platforms whose card messages do the mentioning themselves (robots and
   * WeChat post each change as a new message that @-mentions). `unsupported`: nobody here has an
   * id on this platform, nothing was sent.
   */
  mention?(ref: MessageRef, message: MentionMessage): Promise<SendResult<void>>;
  /**
   * Posts a question whose choices are buttons; a click comes back as a command (see
   * `QuestionMessage`). Absent where clicks cannot come back (robots, WeChat): the core answers
   * with words that say what to type instead.
   */
  ask?(channel: string, question: QuestionMessage): Promise<SendResult<MessageRef>>;
  /** Rewrites a question posted by `ask` (answered: no choices, and a status). */
  updateQuestion?(ref: MessageRef, question: QuestionMessage): Promise<SendResult<void>>;
  /** Answers a request (ephemeral when `reply.private` and the platform allows it). */
  reply(to: ReplyTarget, reply: BotReply): Promise<SendResult<void>>;
  /**
   * A direct (one-to-one) text message to a person by their platform user id, for paging by `dm`
   * (src/notify/). Absent where the platform cannot: the outbox then falls back to the next method.
   */
  sendDirect?(userId: string, text: string): Promise<SendResult<void>>;
  status(): AdapterStatus;
  /**
   * Posts words and an image to a channel (a weekly report). Optional: without it the report goes
   * as a summary card whose last line is the image's link.
   */
  postImage?(channel: string, message: ImageMessage): Promise<SendResult<void>>;
  /** Answers a request with words and an image (`stats`). Optional: without it `reply` sends the words and the link. */
  replyImage?(to: ReplyTarget, message: ImageMessage): Promise<SendResult<void>>;
}
