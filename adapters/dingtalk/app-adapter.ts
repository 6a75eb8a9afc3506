import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { TOPIC_CARD, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import type { Card } from '../../src/bot/card.js';
import type {
  AdapterCapabilities,
  AdapterStatus,
  BotReply,
  ChatAdapter,
  ImageMessage,
  InboundHandler,
  InboundRequest,
  MessageRef,
  QuestionMessage,
  ReplyTarget,
  SendResult,
} from '../../src/bot/chat-adapter.js';
import type { Logger } from '../../src/log.js';
import { SeenIds } from '../../src/bot/seen-ids.js';
import { cardClickRequest, robotMessageRequest, STAFF_PREFIX, type RobotSession } from './inbound.js';
import { OpenApi, postRobot, type ApiOutcome } from './openapi.js';
import { cardParams, cut, questionParams, type CardParams } from './render.js';
import { SOCKET_CLOSE, SOCKET_OPEN, StreamClient } from './stream-client.js';

export interface DingTalkAppAdapterOptions {
  /** The app's Client ID (AppKey). */
  clientId: string;
  /** The app's Client Secret (AppSecret). */
  clientSecret: string;
  /** The app robot's code; for an enterprise internal app it is usually the Client ID. */
  robotCode: string;
  /** Id of the interactive card template (card platform), e.g. `xxxx-….schema`. */
  cardTemplateId: string;
  /** OpenAPI and Stream gateway base URL; `https://api.dingtalk.com` by default (tests: a fake). */
  apiUrl?: string;
  log: Logger;
  /** Epoch ms; token expiry, session webhook expiry and redelivery memory read it. */
  now?: () => number;
  /**
   * How long a card click waits for the core's re-rendered card (the outbox calls `update()`
   * right after the action) before the callback is answered with what we have. DingTalk shows the
   * clicker an error when a callback goes unanswered for a few seconds.
   */
  clickAnswerMs?: number;
  /** Milliseconds before an OpenAPI call is abandoned (and retried by the outbox). */
  requestTimeoutMs?: number;
  /** Stream reconnect: first delay (doubles per failure) and cap. */
  reconnectMs?: { first?: number; max?: number };
  heartbeatMs?: number;
}

const DEFAULT_API = 'https://api.dingtalk.com';
const CLICK_ANSWER_MS = 2_000;
const SESSION_THROTTLE_MS = 60_000;
/** Cards whose latest params we keep to answer clicks; older ones are answered without data. */
const MAX_CARDS = 5_000;
const MAX_SESSIONS = 2_000;

interface KnownCardState {
  channel: string;
  alertId?: string;
  params: CardParams;
  version: number;
}

/**
 * DingTalk through an enterprise internal app robot in Stream mode: interactive cards with buttons
 * (card OpenAPI, clicks come back over the stream) and @-commands in groups.
 *
 * Inbound: robot messages are acknowledged at once and handled; card clicks are answered once the
 * core has handled them, with the card's newest params, so the clicker's card changes at once.
 * Outbound: `post` creates and delivers a card instance (`outTrackId` is the message id), `update`
 * replaces its params; both keep DingTalk's string-only `cardParamMap` (see render.ts).
 */
export class DingTalkAppAdapter implements ChatAdapter {
  readonly platform = 'dingtalk' as const;
  readonly capabilities: AdapterCapabilities = { edit: true, buttons: true, receive: true };

  private readonly log: Logger;
  private readonly now: () => number;
  private readonly api: OpenApi;
  private readonly apiUrl: string;
  private readonly seen = new SeenIds(10_000, 600_000);
  private readonly cards = new Map<string, KnownCardState>();
  private readonly cardChanged = new EventEmitter();
  private readonly sessions = new Map<string, RobotSession>();
  private client: StreamClient | undefined;
  private handler: InboundHandler | undefined;
  private started = false;
  private everOpen = false;
  private problem: string | undefined;
  private authProblem: string | undefined;
  private version = 0;

  constructor(private readonly opts: DingTalkAppAdapterOptions) {
    this.log = opts.log.child({ platform: 'dingtalk' });
    this.now = opts.now ?? Date.now;
    this.apiUrl = (opts.apiUrl ?? DEFAULT_API).replace(/\/+$/, '');
    this.api = new OpenApi({
      apiUrl: this.apiUrl,
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      now: this.now,
      timeoutMs: opts.requestTimeoutMs ?? 15_000,
    });
    this.cardChanged.setMaxListeners(0);
  }

  /** `null` when DINGTALK_CLIENT_ID is absent: the DingTalk app robot is off. */
  static fromEnv(env: NodeJS.ProcessEnv, log: Logger): DingTalkAppAdapter | null {
    const clientId = env.DINGTALK_CLIENT_ID?.trim();
    if (!clientId) return null;
    const clientSecret = env.DINGTALK_CLIENT_SECRET?.trim();
    if (!clientSecret) throw new Error('DINGTALK_CLIENT_SECRET is required when DINGTALK_CLIENT_ID is set');
    const cardTemplateId = env.DINGTALK_CARD_TEMPLATE_ID?.trim();
    if (!cardTemplateId) throw new Error('DINGTALK_CARD_TEMPLATE_ID is required when DINGTALK_CLIENT_ID is set (see docs/dingtalk.md)');
    const robotCode = env.DINGTALK_ROBOT_CODE?.trim() || clientId;
    const apiUrl = env.DINGTALK_API_URL?.trim() || undefined;
    return new DingTalkAppAdapter({ clientId, clientSecret, robotCode, cardTemplateId, log, ...(apiUrl ? { apiUrl } : {}) });
  }

  /** How many access tokens were fetched (they are cached ~2 h). */
  get tokensFetched(): number {
    return this.api.tokens.fetched;
  }

  status(): AdapterStatus {
    if (!this.started) return { state: 'off' };
    if (this.client?.open) {
      return this.authProblem ? { state: 'degraded', detail: this.authProblem } : { state: 'ready' };
    }
    const detail = this.problem ?? (this.everOpen ? 'stream reconnecting' : 'stream connecting');
    return { state: this.everOpen ? 'degraded' : 'starting', detail };
  }

  /**
   * Never throws: when the gateway cannot be reached the adapter says `starting`/`degraded` and
   * the client keeps trying with backoff; cards go out through the OpenAPI meanwhile.
   */
  async start(handler: InboundHandler): Promise<void> {
    if (this.client) await this.client.shutdown();
    this.handler = handler;
    this.started = true;
    this.everOpen = false;
    this.problem = undefined;
    const client = new StreamClient({
      clientId: this.opts.clientId,
      clientSecret: this.opts.clientSecret,
      apiUrl: this.apiUrl,
      ...(this.opts.reconnectMs?.first ? { firstReconnectMs: this.opts.reconnectMs.first } : {}),
      ...(this.opts.reconnectMs?.max ? { maxReconnectMs: this.opts.reconnectMs.max } : {}),
      ...(this.opts.heartbeatMs ? { heartbeatMs: this.opts.heartbeatMs } : {}),
      onProblem: (detail) => {
        this.problem = detail;
        this.log.warn({ detail }, 'dingtalk stream problem');
      },
    });
    client.registerCallbackListener(TOPIC_ROBOT, (msg) => this.onRobotMessage(msg));
    client.registerCallbackListener(TOPIC_CARD, (msg) => void this.onCardClick(msg));
    client.on(SOCKET_OPEN, () => {
      this.everOpen = true;
      this.problem = undefined;
      this.log.info('dingtalk stream connected');
    });
    client.on(SOCKET_CLOSE, () => {
      if (this.started) this.log.warn('dingtalk stream closed; reconnecting');
    });
    this.client = client;
    await client.connect();
  }

  async stop(): Promise<void> {
    this.started = false;
    const client = this.client;
    this.client = undefined;
    this.handler = undefined;
    if (client) await client.shutdown();
  }

  /** Resolves when the stream socket is open (tests, start-up checks). */
  waitUntilOpen(timeoutMs = 10_000): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('dingtalk adapter not started'));
    if (client.open) return Promise.resolve();
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        client.off(SOCKET_OPEN, onOpen);
        fail(new Error(`dingtalk stream not open after ${timeoutMs} ms: ${this.status().detail ?? ''}`));
      }, timeoutMs);
      const onOpen = (): void => {
        clearTimeout(timer);
        ok();
      };
      client.once(SOCKET_OPEN, onOpen);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Outbound

  async post(channel: string, card: Card): Promise<SendResult<MessageRef>> {
    return this.deliver(channel, cardParams(card), card.kind === 'alert' ? card.alertId : undefined);
  }

  /** A question on the same card template (`kind: question`, its choices as buttons). */
  async ask(channel: string, question: QuestionMessage): Promise<SendResult<MessageRef>> {
    return this.deliver(channel, questionParams(question), undefined);
  }

  async updateQuestion(ref: MessageRef, question: QuestionMessage): Promise<SendResult<void>> {
    return this.replace(ref, questionParams(question), undefined);
  }

  private async deliver(channel: string, cardParamMap: CardParams, alertId: string | undefined): Promise<SendResult<MessageRef>> {
    const outTrackId = `dutybot-${randomUUID()}`;
    const params = { ...cardParamMap, conv: channel };
    const res = await this.api.call<CreateAndDeliverAnswer>('POST', '/v1.0/card/instances/createAndDeliver', {
      cardTemplateId: this.opts.cardTemplateId,
      outTrackId,
      callbackType: 'STREAM',
      cardData: { cardParamMap: params },
      openSpaceId: `dtv1.card//IM_GROUP.${channel}`,
      imGroupOpenSpaceModel: { supportForward: false },
      imGroupOpenDeliverModel: { robotCode: this.opts.robotCode },
      userIdType: 1, // clicks then name the person by staffId (userid), as members[].dingtalk does
    });
    const result = this.outcome(res, 'createAndDeliver', channel, (body): SendResult<MessageRef> => {
      if (body.success === false) return { kind: 'failed', error: 'createAndDeliver answered success:false' };
      const failed = (body.result?.deliverResults ?? []).find((r) => r && r.success === false);
      if (failed) {
        const error = `card not delivered: ${failed.errorMsg ?? 'unknown'}`;
        return /频|限流|throttl|limit/i.test(failed.errorMsg ?? '') ? { kind: 'retry', afterMs: 60_000, error } : { kind: 'failed', error };
      }
      return { kind: 'sent', value: { platform: 'dingtalk', channel, messageId: outTrackId } };
    });
    if (result.kind === 'sent') this.remember(outTrackId, channel, alertId, params);
    return result;
  }

  async update(ref: MessageRef, card: Card): Promise<SendResult<void>> {
    return this.replace(ref, cardParams(card), card.kind === 'alert' ? card.alertId : undefined);
  }

  private async replace(ref: MessageRef, cardParamMap: CardParams, alertId: string | undefined): Promise<SendResult<void>> {
    const params = { ...cardParamMap, conv: ref.channel };
    // Remembered before the call: a click answered while this PUT waits for a retry still shows
    // the clicker the truth.
    this.remember(ref.messageId, ref.channel, alertId, params);
    const res = await this.api.call<{ success?: boolean }>('PUT', '/v1.0/card/instances', {
      outTrackId: ref.messageId,
      cardData: { cardParamMap: params },
      cardUpdateOptions: { updateCardDataByKey: true },
      userIdType: 1,
    });
    return this.outcome(res, 'update', ref.channel, (body): SendResult<void> =>
      body.success === false ? { kind: 'failed', error: 'card update answered success:false' } : { kind: 'sent', value: undefined },
    );
  }

  /**
   * `to.handle` is a robot message's sessionWebhook, or `staff:<userId>` after a card click.
   * Private answers go to the person's one-to-one chat with the robot (OpenAPI); when that is not
   * possible they go to the group, through the session webhook (mentioning the person) or the
   * OpenAPI group message.
   */
  async reply(to: ReplyTarget, reply: BotReply): Promise<SendResult<void>> {
    const text = cut(reply.text, 4000);
    const hook = to.handle && /^https?:\/\//i.test(to.handle) && this.trustedHook(to.handle) ? to.handle : undefined;
    const session = hook ? this.sessions.get(hook) : undefined;
    const liveHook = hook && (!session || !session.expiresAt || session.expiresAt > this.now()) ? hook : undefined;
    const userId = session?.userId ?? (to.handle?.startsWith(STAFF_PREFIX) ? to.handle.slice(STAFF_PREFIX.length) : undefined);

    if (reply.private && !(liveHook && session?.conversationType === '1')) {
      if (userId) {
        const sent = await this.sendPrivate(userId, text);
        if (sent.kind === 'sent') return sent;
        this.log.info({ channel: to.channel, error: sent.error }, 'private dingtalk answer not possible; answering in the group');
      }
    }
    const mention = reply.private && userId && session?.conversationType !== '1' ? userId : undefined;
    if (liveHook) {
      const sent = await postRobot(
        liveHook,
        {
          msgtype: 'text',
          text: { content: mention ? `@${mention} ${text}` : text },
          at: { atUserIds: mention ? [mention] : [], isAtAll: false },
        },
        SESSION_THROTTLE_MS,
        this.opts.requestTimeoutMs ?? 15_000,
      );
      if (sent.kind !== 'failed') return sent;
      this.log.info({ channel: to.channel, error: sent.error }, 'dingtalk session webhook refused; using the group message API');
    }
    return this.sendGroup(to.channel, text);
  }

  /** Paging by direct message: the robot's one-to-one message (oToMessages/batchSend) to a staff id. */
  sendDirect(userId: string, text: string): Promise<SendResult<void>> {
    return this.sendPrivate(userId, text);
  }

  /**
   * A chart with its figures as markdown (`sampleMarkdown`), the image shown by DingTalk from
   * dutybot's signed link: a `stats` answer goes through the session webhook while it lives.
   */
  async replyImage(to: ReplyTarget, message: ImageMessage): Promise<SendResult<void>> {
    const markdown = imageMarkdown(message);
    const hook = to.handle && /^https?:\/\//i.test(to.handle) && this.trustedHook(to.handle) ? to.handle : undefined;
    const session = hook ? this.sessions.get(hook) : undefined;
    if (hook && (!session?.expiresAt || session.expiresAt > this.now())) {
      const sent = await postRobot(hook, { msgtype: 'markdown', markdown }, SESSION_THROTTLE_MS, this.opts.requestTimeoutMs ?? 15_000);
      if (sent.kind !== 'failed') return sent;
    }
    return this.postImage(to.channel, message);
  }

  /** A weekly report to a group: the group message API with `sampleMarkdown`. */
  async postImage(channel: string, message: ImageMessage): Promise<SendResult<void>> {
    const res = await this.api.call<unknown>('POST', '/v1.0/robot/groupMessages/send', {
      robotCode: this.opts.robotCode,
      openConversationId: channel,
      msgKey: 'sampleMarkdown',
      msgParam: JSON.stringify(imageMarkdown(message)),
    });
    return this.outcome(res, 'groupMessages/send', channel, (): SendResult<void> => ({ kind: 'sent', value: undefined }));
  }

  private async sendPrivate(userId: string, text: string): Promise<SendResult<void>> {
    const res = await this.api.call<{ invalidStaffIdList?: string[]; flowControlledStaffIdList?: string[] }>('POST', '/v1.0/robot/oToMessages/batchSend', {
      robotCode: this.opts.robotCode,
      userIds: [userId],
      msgKey: 'sampleText',
      msgParam: JSON.stringify({ content: text }),
    });
    return this.outcome(res, 'oToMessages/batchSend', userId, (body): SendResult<void> => {
      if (body.invalidStaffIdList?.includes(userId)) return { kind: 'failed', error: 'not a staff member the robot can message' };
      if (body.flowControlledStaffIdList?.includes(userId)) return { kind: 'retry', afterMs: 60_000, error: 'flow controlled' };
      return { kind: 'sent', value: undefined };
    });
  }

  private async sendGroup(channel: string, text: string): Promise<SendResult<void>> {
    const res = await this.api.call<unknown>('POST', '/v1.0/robot/groupMessages/send', {
      robotCode: this.opts.robotCode,
      openConversationId: channel,
      msgKey: 'sampleText',
      msgParam: JSON.stringify({ content: text }),
    });
    return this.outcome(res, 'groupMessages/send', channel, (): SendResult<void> => ({ kind: 'sent', value: undefined }));
  }

  private outcome<T, V>(res: ApiOutcome<T>, method: string, target: string, ok: (body: T) => SendResult<V>): SendResult<V> {
    if (res.kind === 'ok') {
      this.authProblem = undefined;
      return ok(res.body);
    }
    if (res.kind === 'failed' && /http 40[13]\b|access token/.test(res.error)) this.authProblem = `DingTalk refused the app credentials (${res.error})`;
    this.log.warn({ method, target, result: res.kind, error: res.error }, 'dingtalk call did not succeed');
    return res;
  }

  /** Session webhooks come from DingTalk; we still only ever post to DingTalk (or our API host). */
  private trustedHook(url: string): boolean {
    try {
      const u = new URL(url);
      return (u.protocol === 'https:' && (u.hostname === 'dingtalk.com' || u.hostname.endsWith('.dingtalk.com'))) || u.origin === new URL(this.apiUrl).origin;
    } catch {
      return false;
    }
  }

  private remember(outTrackId: string, channel: string, alertId: string | undefined, params: CardParams): void {
    this.cards.delete(outTrackId);
    this.cards.set(outTrackId, { channel, ...(alertId ? { alertId } : {}), params, version: ++this.version });
    if (this.cards.size > MAX_CARDS) {
      const oldest = this.cards.keys().next();
      if (!oldest.done) this.cards.delete(oldest.value);
    }
    this.cardChanged.emit(outTrackId);
  }

  private rememberSession(hook: string, session: RobotSession): void {
    this.sessions.delete(hook);
    this.sessions.set(hook, session);
    if (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next();
      if (!oldest.done) this.sessions.delete(oldest.value);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Inbound

  /** Acknowledged at once (the answer carries nothing), then handled. */
  private onRobotMessage(msg: DWClientDownStream): void {
    const messageId = msg?.headers?.messageId;
    if (messageId) this.ack(messageId, {});
    const parsed = robotMessageRequest(msg?.data, messageId);
    if (!parsed) {
      this.log.info({ messageId }, 'dingtalk robot message without a command ignored');
      return;
    }
    // conversationId and staffId are what dutybot.yaml needs (channels, members[].dingtalk).
    this.log.info({ channel: parsed.req.channel, userId: parsed.req.userId, deliveryId: messageId }, 'dingtalk robot message');
    if (parsed.session && parsed.req.replyTo.handle) this.rememberSession(parsed.req.replyTo.handle, parsed.session);
    void this.dispatch(parsed.req);
  }

  /** Runs the core's handler once per delivery and sends its answer; never throws. */
  private async dispatch(req: InboundRequest): Promise<void> {
    if (req.deliveryId && this.seen.check(req.deliveryId, this.now())) {
      this.log.info({ deliveryId: req.deliveryId, kind: req.kind }, 'dingtalk redelivery ignored');
      return;
    }
    const handler = this.handler;
    if (!handler) return;
    try {
      await this.sendAnswer(req, await handler(req));
    } catch (err) {
      this.log.error({ err, kind: req.kind, deliveryId: req.deliveryId }, 'dingtalk request handler failed');
    }
  }

  private async sendAnswer(req: InboundRequest, answer: BotReply | null): Promise<void> {
    if (!answer?.text) return;
    const sent = await this.reply(req.replyTo, answer);
    if (sent.kind !== 'sent') this.log.warn({ deliveryId: req.deliveryId, error: sent.error }, 'dingtalk answer not delivered');
  }

  /**
   * A card click is answered exactly once, with the card as it is after the core handled the
   * click: the core's outbox calls `update()` for the new state, which we wait for (bounded).
   * A refusal leaves the card as it is and goes to the clicker privately.
   */
  private async onCardClick(msg: DWClientDownStream): Promise<void> {
    const messageId = msg?.headers?.messageId;
    if (!messageId) return;
    let answered = false;
    let outTrackId: string | undefined;
    const answer = (): void => {
      if (answered) return;
      answered = true;
      this.ack(messageId, this.clickAnswer(outTrackId));
    };
    try {
      const click = cardClickRequest(msg.data, messageId, (id) => this.cards.get(id));
      if (!click) {
        this.log.info({ messageId }, 'dingtalk card callback not understood');
        return;
      }
      outTrackId = click.outTrackId;
      const req: InboundRequest = click.req;
      if (this.seen.check(messageId, this.now())) {
        this.log.info({ deliveryId: messageId }, 'dingtalk card callback redelivery answered again, not handled again');
        return;
      }
      const handler = this.handler;
      if (!handler) return;
      const before = this.cards.get(outTrackId)?.version ?? 0;
      const budget = this.opts.clickAnswerMs ?? CLICK_ANSWER_MS;
      const started = Date.now();
      const handled = handler(req).then(
        (reply) => ({ ok: true as const, reply }),
        (err: unknown) => ({ ok: false as const, err }),
      );
      const first = await withTimeout(handled, budget);
      if (first === TIMEOUT) {
        answer();
        const late = await handled;
        if (late.ok) await this.sendAnswer(req, late.reply);
        else this.log.error({ err: late.err, deliveryId: messageId }, 'dingtalk card click handler failed');
        return;
      }
      if (!first.ok) {
        this.log.error({ err: first.err, deliveryId: messageId }, 'dingtalk card click handler failed');
        return;
      }
      if (first.reply?.text) {
        answer();
        await this.sendAnswer(req, first.reply);
        return;
      }
      await this.cardNewerThan(outTrackId, before, budget - (Date.now() - started));
    } catch (err) {
      this.log.error({ err, deliveryId: messageId }, 'dingtalk card click failed');
    } finally {
      answer();
    }
  }

  /** The callback answer: the card's newest params for the clicker, or nothing when unknown. */
  private clickAnswer(outTrackId: string | undefined): Record<string, unknown> {
    const card = outTrackId ? this.cards.get(outTrackId) : undefined;
    if (!card) return {};
    return { cardData: { cardParamMap: card.params }, cardUpdateOptions: { updateCardDataByKey: true } };
  }

  private cardNewerThan(outTrackId: string, version: number, waitMs: number): Promise<void> {
    if ((this.cards.get(outTrackId)?.version ?? 0) > version || waitMs <= 0) return Promise.resolve();
    return new Promise((done) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.cardChanged.off(outTrackId, onChange);
        done();
      };
      const onChange = (): void => {
        if ((this.cards.get(outTrackId)?.version ?? 0) > version) finish();
      };
      const timer = setTimeout(finish, waitMs);
      this.cardChanged.on(outTrackId, onChange);
    });
  }

  private ack(messageId: string, result: unknown): void {
    try {
      this.client?.socketCallBackResponse(messageId, result);
    } catch (err) {
      // The socket is gone: DingTalk delivers the callback again (about 60 s later).
      this.log.warn({ err, messageId }, 'dingtalk callback answer not sent');
    }
  }
}

interface CreateAndDeliverAnswer {
  success?: boolean;
  result?: { outTrackId?: string; deliverResults?: Array<{ success?: boolean; errorMsg?: string; spaceId?: string }> };
}

const TIMEOUT = Symbol('timeout');

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMEOUT>((ok) => {
    timer = setTimeout(() => ok(TIMEOUT), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** DingTalk markdown of a report: heading, one paragraph per line, the chart by its link. */
function imageMarkdown(m: ImageMessage): { title: string; text: string } {
  const lines = m.text.split('\n').slice(1);
  return { title: cut(m.title, 60), text: cut([`### ${m.title}`, ...lines, `![chart](${m.url})`].join('\n\n'), 18_000) };
}
