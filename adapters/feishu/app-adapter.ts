import { EventEmitter } from 'node:events';
import * as lark from '@larksuiteoapi/node-sdk';
import type { Card } from '../../src/bot/card.js';
import type {
  AdapterCapabilities,
  AdapterStatus,
  BotReply,
  ChatAdapter,
  InboundHandler,
  InboundRequest,
  MentionMessage,
  MessageRef,
  QuestionMessage,
  ReplyTarget,
  SendResult,
} from '../../src/bot/chat-adapter.js';
import type { RatePolicy } from '../../src/bot/rate-policy.js';
import { SeenIds } from '../../src/bot/seen-ids.js';
import type { Logger } from '../../src/log.js';
import { cardClickRequest, decodeHandle, messageRequest, type UserIdType } from './inbound.js';
import { FeishuApi } from './openapi.js';
import { appCard, cut, questionCard, textContent } from './render.js';
import { sdkLogger } from './sdk-log.js';

export interface FeishuAppAdapterOptions {
  /** The app's App ID (`cli_…`). */
  appId: string;
  appSecret: string;
  /** `feishu` (open.feishu.cn, the default), `lark` (open.larksuite.com), or a base URL (a proxy, a test fake). */
  domain?: string;
  /** Which id `members[].feishu` holds; `open_id` by default (user_id needs an extra scope). */
  userIdType?: UserIdType;
  /** Set when the app's "Encrypt Key" is on: the SDK then decrypts each event. */
  encryptKey?: string;
  log: Logger;
  /** Epoch ms, for the redelivery memory. */
  now?: () => number;
  /** How long a card click waits for the re-rendered card before it is answered (Feishu allows 3 s). */
  clickAnswerMs?: number;
  requestTimeoutMs?: number;
}

/** Answers in Feishu's card callback, as the SDK sends them back over the long connection. */
interface ClickAnswer {
  toast?: { type: 'info' | 'success' | 'error' | 'warning'; content: string };
  card?: { type: 'raw'; data: object };
}

const CLICK_ANSWER_MS = 2_000;
const MAX_CARDS = 5_000;
/** A toast shows a short line; a longer answer also goes to the person as an ephemeral card. */
const TOAST_CHARS = 60;

export function feishuDomain(domain: string | undefined): string {
  const d = domain?.trim();
  if (!d || d.toLowerCase() === 'feishu') return 'https://open.feishu.cn';
  if (d.toLowerCase() === 'lark') return 'https://open.larksuite.com';
  return d.replace(/\/+$/, '');
}

/**
 * Feishu (and Lark) through a self-built app's bot in long-connection mode: dutybot opens a
 * WebSocket to Feishu (the SDK's WSClient), so no public URL is needed. Messages that @-mention
 * the bot and card button clicks come over it; cards go out and are patched in place through the
 * open API.
 */
export class FeishuAppAdapter implements ChatAdapter {
  readonly platform = 'feishu' as const;
  readonly capabilities: AdapterCapabilities = { edit: true, buttons: true, receive: true };
  /** Feishu allows a bot 5 messages a second per group; card patches count too. 50 a minute keeps bursts readable. */
  readonly ratePolicy: RatePolicy = { count: 50, perMs: 60_000, foldAfter: 10, burst: { count: 4, perMs: 1000 } };

  private readonly log: Logger;
  private readonly now: () => number;
  private readonly api: FeishuApi;
  private readonly domain: string;
  private readonly idType: UserIdType;
  private readonly seen = new SeenIds(10_000, 600_000);
  /** Latest card JSON per message id, to answer clicks with; `version` rises on every change. */
  private readonly cards = new Map<string, { json: object; version: number }>();
  private readonly changed = new EventEmitter();
  private version = 0;
  private ws: lark.WSClient | undefined;
  private handler: InboundHandler | undefined;
  private started = false;
  private problem: string | undefined;

  constructor(private readonly opts: FeishuAppAdapterOptions) {
    this.log = opts.log.child({ platform: 'feishu' });
    this.now = opts.now ?? Date.now;
    this.domain = feishuDomain(opts.domain);
    this.idType = opts.userIdType ?? 'open_id';
    this.api = new FeishuApi({ appId: opts.appId, appSecret: opts.appSecret, domain: this.domain, log: this.log, timeoutMs: opts.requestTimeoutMs ?? 15_000 });
    this.changed.setMaxListeners(0);
  }

  /** `null` when FEISHU_APP_ID is absent: the Feishu app bot is off. */
  static fromEnv(env: NodeJS.ProcessEnv, log: Logger): FeishuAppAdapter | null {
    const appId = env.FEISHU_APP_ID?.trim();
    if (!appId) return null;
    const appSecret = env.FEISHU_APP_SECRET?.trim();
    if (!appSecret) throw new Error('FEISHU_APP_SECRET is required when FEISHU_APP_ID is set');
    const idTypeText = env.FEISHU_USER_ID_TYPE?.trim();
    if (idTypeText && idTypeText !== 'open_id' && idTypeText !== 'user_id') throw new Error('FEISHU_USER_ID_TYPE must be open_id or user_id');
    const idType: UserIdType | undefined = idTypeText === 'user_id' ? 'user_id' : idTypeText ? 'open_id' : undefined;
    const encryptKey = env.FEISHU_ENCRYPT_KEY?.trim();
    return new FeishuAppAdapter({
      appId,
      appSecret,
      log,
      domain: feishuDomain(env.FEISHU_DOMAIN),
      ...(idType ? { userIdType: idType } : {}),
      ...(encryptKey ? { encryptKey } : {}),
    });
  }

  status(): AdapterStatus {
    if (!this.started || !this.ws) return { state: 'off' };
    const state = this.ws.getConnectionStatus().state;
    if (state === 'connected') return this.api.authProblem ? { state: 'degraded', detail: this.api.authProblem } : { state: 'ready' };
    if (state === 'failed') return { state: 'degraded', detail: this.problem ?? 'long connection failed' };
    if (state === 'reconnecting') return { state: 'degraded', detail: 'long connection reconnecting' };
    return { state: 'starting', detail: this.problem ?? 'long connection connecting' };
  }

  /** Never throws: the SDK keeps reconnecting; cards go out through the open API meanwhile. */
  async start(handler: InboundHandler): Promise<void> {
    this.ws?.close({ force: true });
    this.handler = handler;
    this.started = true;
    this.problem = undefined;
    const logger = sdkLogger(this.log);
    const dispatcher = new lark.EventDispatcher({ logger, loggerLevel: lark.LoggerLevel.warn, ...(this.opts.encryptKey ? { encryptKey: this.opts.encryptKey } : {}) }).register({
      'im.message.receive_v1': async (data: unknown) => {
        this.onMessage(data);
      },
      'card.action.trigger': (data: unknown) => this.onCardAction(data),
    } as never);
    this.ws = new lark.WSClient({
      appId: this.opts.appId,
      appSecret: this.opts.appSecret,
      domain: this.domain,
      logger,
      loggerLevel: lark.LoggerLevel.warn,
      onReady: () => {
        this.log.info('feishu long connection open');
        this.changed.emit('open');
      },
      onReconnected: () => {
        this.log.info('feishu long connection open again');
        this.changed.emit('open');
      },
      onReconnecting: () => this.log.warn('feishu long connection lost; reconnecting'),
      onError: (err: Error) => {
        this.problem = err.message;
        this.log.error({ error: err.message }, 'feishu long connection gave up');
      },
    });
    // The SDK refuses such an id with a log line only, and would never connect: say why instead.
    if (!/^cli_[0-9a-fA-F]{16}$/.test(this.opts.appId)) this.problem = 'FEISHU_APP_ID does not look like an App ID (cli_ and 16 hex digits)';
    await this.ws.start({ eventDispatcher: dispatcher });
  }

  async stop(): Promise<void> {
    this.started = false;
    this.handler = undefined;
    this.ws?.close({ force: true });
    this.ws = undefined;
  }

  /** Resolves once the long connection is open (tests, start-up checks). */
  waitUntilOpen(timeoutMs = 10_000): Promise<void> {
    if (this.ws?.getConnectionStatus().state === 'connected') return Promise.resolve();
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        this.changed.off('open', onOpen);
        fail(new Error(`feishu long connection not open after ${timeoutMs} ms: ${this.status().detail ?? ''}`));
      }, timeoutMs);
      const onOpen = (): void => {
        clearTimeout(timer);
        ok();
      };
      this.changed.once('open', onOpen);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Outbound

  async post(channel: string, card: Card): Promise<SendResult<MessageRef>> {
    const json = appCard(card);
    const sent = await this.api.send('chat_id', channel, 'interactive', JSON.stringify(json));
    if (sent.kind !== 'sent') return sent;
    this.remember(sent.value, json);
    return { kind: 'sent', value: { platform: 'feishu', channel, messageId: sent.value } };
  }

  async update(ref: MessageRef, card: Card): Promise<SendResult<void>> {
    const json = appCard(card);
    // Remembered before the call: a click answered while this patch waits still shows the truth.
    this.remember(ref.messageId, json);
    return this.api.patch(ref.messageId, JSON.stringify(json));
  }

  /** A question with its choices as buttons (`update_multi`: one patch changes it for everyone). */
  async ask(channel: string, question: QuestionMessage): Promise<SendResult<MessageRef>> {
    const json = questionCard(question);
    const sent = await this.api.send('chat_id', channel, 'interactive', JSON.stringify(json));
    if (sent.kind !== 'sent') return sent;
    this.remember(sent.value, json);
    return { kind: 'sent', value: { platform: 'feishu', channel, messageId: sent.value } };
  }

  async updateQuestion(ref: MessageRef, question: QuestionMessage): Promise<SendResult<void>> {
    const json = questionCard(question);
    this.remember(ref.messageId, json);
    return this.api.patch(ref.messageId, JSON.stringify(json));
  }

  /** A patched card notifies nobody: the people go in a reply to the card that @-mentions them. */
  async mention(ref: MessageRef, message: MentionMessage): Promise<SendResult<void>> {
    const people = message.people.filter((p) => p.feishu);
    if (!people.length) return { kind: 'unsupported', error: 'nobody to mention has a Feishu id' };
    const sent = await this.api.reply(ref.messageId, 'text', textContent(message.text, people), !message.broadcast);
    return sent.kind === 'sent' ? { kind: 'sent', value: undefined } : sent;
  }

  /**
   * A private answer in a group is an ephemeral card (only that person sees it); in a one-to-one
   * chat any message is private. Where the ephemeral card is refused, the answer is a reply to the
   * person's message that @-mentions them.
   */
  async reply(to: ReplyTarget, reply: BotReply): Promise<SendResult<void>> {
    const h = decodeHandle(to.handle);
    if (reply.private && h && !h.p2p) {
      const sent = await this.api.ephemeral(to.channel, h.idType, h.user, answerCard(reply.text));
      if (sent.kind === 'sent') return { kind: 'sent', value: undefined };
      this.log.info({ channel: to.channel, error: sent.error }, 'feishu ephemeral answer not possible; replying in the group');
    }
    const mention = reply.private && h && !h.p2p && h.idType === 'open_id' ? [{ name: '', feishu: h.user }] : [];
    const content = textContent(reply.text, mention);
    const sent = h?.messageId ? await this.api.reply(h.messageId, 'text', content) : await this.api.send('chat_id', to.channel, 'text', content);
    return sent.kind === 'sent' ? { kind: 'sent', value: undefined } : sent;
  }

  /** Paging by `dm`: a message from the bot to the person (an `ou_` id is an open_id whatever the setting). */
  async sendDirect(userId: string, text: string): Promise<SendResult<void>> {
    const idType = userId.startsWith('ou_') ? 'open_id' : this.idType;
    const sent = await this.api.send(idType, userId, 'text', textContent(text));
    return sent.kind === 'sent' ? { kind: 'sent', value: undefined } : sent;
  }

  private remember(messageId: string, json: object): void {
    this.cards.delete(messageId);
    this.cards.set(messageId, { json, version: ++this.version });
    if (this.cards.size > MAX_CARDS) {
      const oldest = this.cards.keys().next();
      if (!oldest.done) this.cards.delete(oldest.value);
    }
    this.changed.emit(`card:${messageId}`);
  }

  // -------------------------------------------------------------------------------------------
  // Inbound

  /** Handled after the event is acknowledged: the core's answer goes out as a message. */
  private onMessage(data: unknown): void {
    const req = messageRequest(data, this.idType);
    if (!req) return;
    // The chat id and the sender's id are what dutybot.yaml needs (channels, members[].feishu).
    this.log.info({ channel: req.channel, userId: req.userId, deliveryId: req.deliveryId }, 'feishu message');
    void this.dispatch(req);
  }

  private async dispatch(req: InboundRequest): Promise<void> {
    if (req.deliveryId && this.seen.check(req.deliveryId, this.now())) return;
    const handler = this.handler;
    if (!handler) return;
    try {
      const answer = await handler(req);
      if (answer?.text) {
        const sent = await this.reply(req.replyTo, answer);
        if (sent.kind !== 'sent') this.log.warn({ deliveryId: req.deliveryId, error: sent.error }, 'feishu answer not delivered');
      }
    } catch (err) {
      this.log.error({ err, kind: req.kind, deliveryId: req.deliveryId }, 'feishu request handler failed');
    }
  }

  /**
   * A click is answered once, within Feishu's 3 s: with the card as the core re-rendered it (the
   * clicker sees the change at once; every copy is patched as well), or with the core's answer as
   * a toast only the clicker sees (a refusal leaves the card as it is).
   */
  private async onCardAction(data: unknown): Promise<ClickAnswer> {
    const click = cardClickRequest(data, this.idType);
    if (!click) return {};
    const { req, messageId } = click;
    if (req.deliveryId && this.seen.check(req.deliveryId, this.now())) return this.cardAnswer(messageId);
    const handler = this.handler;
    if (!handler) return {};
    const before = (messageId && this.cards.get(messageId)?.version) || 0;
    const budget = this.opts.clickAnswerMs ?? CLICK_ANSWER_MS;
    const started = Date.now();
    const handled = handler(req).then(
      (reply) => ({ ok: true as const, reply }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    const first = await Promise.race([handled, delay(budget).then(() => null)]);
    if (!first) {
      // Too slow for the callback: whatever the core says later goes to the person privately.
      void handled.then((late) => (late.ok && late.reply?.text ? this.reply(req.replyTo, { ...late.reply, private: true }) : undefined));
      return this.cardAnswer(messageId);
    }
    if (!first.ok) {
      this.log.error({ err: first.err, deliveryId: req.deliveryId }, 'feishu card click handler failed');
      return {};
    }
    if (first.reply?.text) {
      const text = first.reply.text;
      if (text.length > TOAST_CHARS) void this.reply(req.replyTo, { text, private: true });
      return { toast: { type: 'info', content: cut(text.split('\n')[0]!, TOAST_CHARS) } };
    }
    if (messageId) await this.cardNewerThan(messageId, before, budget - (Date.now() - started));
    return this.cardAnswer(messageId);
  }

  private cardAnswer(messageId: string | undefined): ClickAnswer {
    const known = messageId ? this.cards.get(messageId) : undefined;
    return known ? { card: { type: 'raw', data: known.json } } : {};
  }

  private cardNewerThan(messageId: string, version: number, waitMs: number): Promise<void> {
    const newer = (): boolean => (this.cards.get(messageId)?.version ?? 0) > version;
    if (newer() || waitMs <= 0) return Promise.resolve();
    return new Promise((done) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.changed.off(`card:${messageId}`, onChange);
        done();
      };
      const onChange = (): void => {
        if (newer()) finish();
      };
      const timer = setTimeout(finish, waitMs);
      this.changed.on(`card:${messageId}`, onChange);
    });
  }
}

/** A private answer as a card (ephemeral messages are cards only). */
function answerCard(text: string): object {
  // plain_text: the core's answers are not markdown for Feishu, and must show as written.
  return { config: { wide_screen_mode: true }, elements: [{ tag: 'div', text: { tag: 'plain_text', content: cut(text, 4000) } }] };
}

const delay = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms).unref());
