import { App, ExpressReceiver, SocketModeReceiver, webApi, type Logger as BoltLogger } from '@slack/bolt';
import express, { type Request, type Response, type Router } from 'express';
import type { Card } from '../../src/bot/card.js';
import type {
  AdapterCapabilities,
  AdapterStatus,
  BotReply,
  ChatAdapter,
  ImageMessage,
  InboundHandler,
  InboundRequest,
  MentionMessage,
  MessageRef,
  QuestionMessage,
  ReplyTarget,
  SendResult,
} from '../../src/bot/chat-adapter.js';
import type { Logger } from '../../src/log.js';
import { boltLogger } from './bolt-logger.js';
import { SeenIds } from '../../src/bot/seen-ids.js';
import { actionRequest, choiceRequest, isKnownSlackBody, messageRequest, slashCommandRequest } from './inbound.js';
import { ACTION_PREFIX, fit, mentionText, renderBlocks, renderQuestion } from './render.js';
import { AUTH_ERRORS, classify, platformError } from './send-result.js';

export interface SlackAdapterOptions {
  /** `xoxb-…` bot token. */
  botToken: string;
  /** Verifies every HTTP request from Slack (HTTP mode). */
  signingSecret: string;
  /** `xapp-…` app-level token: when set, Socket Mode is used and no HTTP route is exposed. */
  appToken?: string;
  /** Web API base URL, `https://slack.com/api/` by default (tests point it at a fake). */
  apiUrl?: string;
  log: Logger;
  /** Retries inside the Web API client; 0 by default because dutybot's outbox retries. */
  clientRetries?: number;
  /** Milliseconds before a Web API call is abandoned (and retried by the outbox). */
  requestTimeoutMs?: number;
  /** The path Slack posts events, interactivity and slash commands to. */
  endpoint?: string;
}

export const SLACK_EVENTS_PATH = '/slack/events';
const COMMAND = '/alert';
const FIRST_RECONNECT_MS = 5_000;
const MAX_RECONNECT_MS = 300_000;
const SOCKET_HELLO_TIMEOUT_MS = 30_000;
const RESPONSE_URL_TTL_MS = 25 * 60_000; // Slack keeps a response_url valid for 30 minutes
/** Message metadata `event_type` of a card: its payload `{card: <record id>}`. */
const CARD_EVENT = 'dutybot_card';
/** Messages findPosted() reads back (one call; Slack recommends at most 200 a page). */
const HISTORY_LOOKBACK = 100;

/**
 * Slack through Bolt. Outbound calls use a WebClient of our own (no SDK retries; a 429 comes back
 * as `retry` with Slack's delay), so cards go out even while the inbound side is still starting.
 * Inbound: HTTP mode exposes `router` (POST `/slack/events` for events, interactivity and slash
 * commands) for dutybot's own express app; Socket Mode connects out and exposes no router.
 */
export class SlackAdapter implements ChatAdapter {
  readonly platform = 'slack' as const;
  readonly capabilities: AdapterCapabilities = { edit: true, buttons: true, receive: true };
  /** Mount on dutybot's express app (HTTP mode); undefined in Socket Mode. */
  readonly router: Router | undefined;

  private readonly log: Logger;
  private readonly boltLog: BoltLogger;
  private readonly web: webApi.WebClient;
  private readonly clientOptions: webApi.WebClientOptions;
  private readonly receiver: ExpressReceiver | undefined;
  private readonly seen = new SeenIds(10_000, 600_000);
  private readonly responseUrls = new Map<string, { url: string; at: number }>();
  private app: App | undefined;
  private socket: SocketModeReceiver | undefined;
  private handler: InboundHandler | undefined;
  private botUserId: string | undefined;
  private state: AdapterStatus = { state: 'off' };
  private authProblem: string | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = FIRST_RECONNECT_MS;
  private stopped = false;

  constructor(private readonly opts: SlackAdapterOptions) {
    this.log = opts.log.child({ platform: 'slack' });
    this.boltLog = boltLogger(this.log);
    this.clientOptions = {
      ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
      retryConfig: { retries: opts.clientRetries ?? 0 },
      rejectRateLimitedCalls: true,
      // The SDK's default is no timeout at all: one hung call would hold an outbox row forever.
      timeout: opts.requestTimeoutMs ?? 15_000,
      logger: this.boltLog,
    };
    this.web = new webApi.WebClient(opts.botToken, { ...this.clientOptions });

    if (!opts.appToken) {
      const path = opts.endpoint ?? SLACK_EVENTS_PATH;
      this.receiver = new GuardedExpressReceiver({
        signingSecret: opts.signingSecret,
        endpoints: path,
        logger: this.boltLog,
        // The HTTP answer goes out at ack(); the handler's work continues after it.
        processBeforeResponse: false,
      });
      const router = express.Router();
      // Until Bolt's App exists (auth.test not answered yet) Slack gets a 503 and retries later,
      // rather than Bolt's silent three-second wait followed by a 404.
      router.post(path, (_req, res, next) => {
        if (this.app) return next();
        res.status(503).set('Retry-After', '5').end();
      });
      router.use(this.receiver.router);
      this.router = router;
    }
  }

  /** `null` when SLACK_BOT_TOKEN is absent: Slack is off. */
  static fromEnv(env: NodeJS.ProcessEnv, log: Logger): SlackAdapter | null {
    const botToken = env.SLACK_BOT_TOKEN?.trim();
    if (!botToken) return null;
    const appToken = env.SLACK_APP_TOKEN?.trim() || undefined;
    const signingSecret = env.SLACK_SIGNING_SECRET?.trim() ?? '';
    if (!appToken && !signingSecret) throw new Error('SLACK_SIGNING_SECRET is required when SLACK_APP_TOKEN (Socket Mode) is not set');
    const apiUrl = env.SLACK_API_URL?.trim() || undefined;
    return new SlackAdapter({ botToken, signingSecret, log, ...(appToken ? { appToken } : {}), ...(apiUrl ? { apiUrl } : {}) });
  }

  status(): AdapterStatus {
    if (this.state.state === 'ready' && this.authProblem) return { state: 'degraded', detail: this.authProblem };
    return { ...this.state };
  }

  /**
   * Never throws: when Slack cannot be reached (or the token is refused) the adapter reports
   * `degraded` and keeps trying in the background; cards wait in the outbox meanwhile.
   */
  async start(handler: InboundHandler): Promise<void> {
    this.handler = handler;
    this.stopped = false;
    this.state = { state: 'starting' };
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    this.app = undefined;
    this.state = { state: 'off' };
    if (socket) await socket.stop().catch((err: unknown) => this.log.warn({ err }, 'socket mode stop failed'));
  }

  // -------------------------------------------------------------------------------------------
  // Outbound

  async post(channel: string, card: Card, key?: string): Promise<SendResult<MessageRef>> {
    try {
      const resp = await this.web.chat.postMessage({
        channel,
        ...renderBlocks(card),
        unfurl_links: false,
        unfurl_media: false,
        // The card's record id rides on the message, invisible to people: findPosted() looks for it.
        ...(key ? { metadata: { event_type: CARD_EVENT, event_payload: { card: key } } } : {}),
      });
      this.authProblem = undefined;
      if (!resp.ts) return { kind: 'failed', error: 'chat.postMessage answered without ts' };
      return { kind: 'sent', value: { platform: 'slack', channel: resp.channel ?? channel, messageId: resp.ts } };
    } catch (err) {
      return this.failure(err, 'chat.postMessage', channel);
    }
  }

  /**
   * Looks through the channel's last HISTORY_LOOKBACK messages (conversations.history with their
   * metadata; scope `channels:history`, `groups:history` in private channels) for the card posted
   * with `key`. Only a handful of messages go out between a lost answer and this look (the
   * channel's rate is one a second and the look comes first after a restart).
   */
  async findPosted(channel: string, key: string): Promise<SendResult<MessageRef | null>> {
    try {
      const resp = await this.web.conversations.history({ channel, limit: HISTORY_LOOKBACK, include_all_metadata: true });
      const hit = (resp.messages ?? []).find((m) => m.metadata?.event_type === CARD_EVENT && (m.metadata.event_payload as Record<string, unknown> | undefined)?.card === key);
      return { kind: 'sent', value: hit?.ts ? { platform: 'slack', channel, messageId: hit.ts } : null };
    } catch (err) {
      return this.failure(err, 'conversations.history', channel);
    }
  }

  async update(ref: MessageRef, card: Card): Promise<SendResult<void>> {
    try {
      await this.web.chat.update({ channel: ref.channel, ts: ref.messageId, ...renderBlocks(card) });
      this.authProblem = undefined;
      return { kind: 'sent', value: undefined };
    } catch (err) {
      return this.failure(err, 'chat.update', ref.channel);
    }
  }

  /**
   * A reply in the card's thread that @-mentions the people (`<@U…>`): Slack notifies a person
   * only for a new message that mentions them, never for an edit. `broadcast` also shows it in the
   * channel (`reply_broadcast`). Nobody with a Slack id: nothing to notify, `unsupported`.
   */
  async mention(ref: MessageRef, message: MentionMessage): Promise<SendResult<void>> {
    const text = mentionText(message.people, message.text);
    if (!text) return { kind: 'unsupported', error: `no Slack user id to @-mention (${message.people.map((p) => p.name).join(', ') || 'nobody'})` };
    try {
      await this.web.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.messageId,
        text,
        reply_broadcast: message.broadcast,
        unfurl_links: false,
        unfurl_media: false,
      });
      this.authProblem = undefined;
      return { kind: 'sent', value: undefined };
    } catch (err) {
      return this.failure(err, 'chat.postMessage', ref.channel);
    }
  }

  /** A question with buttons: a new message in the channel, @-mentioning whom it asks. */
  async ask(channel: string, question: QuestionMessage): Promise<SendResult<MessageRef>> {
    try {
      const resp = await this.web.chat.postMessage({ channel, ...renderQuestion(question), unfurl_links: false, unfurl_media: false });
      if (!resp.ts) return { kind: 'failed', error: 'chat.postMessage answered without ts' };
      return { kind: 'sent', value: { platform: 'slack', channel: resp.channel ?? channel, messageId: resp.ts } };
    } catch (err) {
      return this.failure(err, 'chat.postMessage', channel);
    }
  }

  async updateQuestion(ref: MessageRef, question: QuestionMessage): Promise<SendResult<void>> {
    try {
      await this.web.chat.update({ channel: ref.channel, ts: ref.messageId, ...renderQuestion(question) });
      return { kind: 'sent', value: undefined };
    } catch (err) {
      return this.failure(err, 'chat.update', ref.channel);
    }
  }

  /**
   * Private answers are ephemeral (`handle` is the person's Slack user id). In a direct message
   * an ordinary message is already private. Where the bot may not post (a private channel it is
   * not in, a DM between two people), the interaction's `response_url` is used instead.
   */
  async reply(to: ReplyTarget, reply: BotReply): Promise<SendResult<void>> {
    const text = fit(reply.text, 3900, true);
    const ephemeral = reply.private && !to.channel.startsWith('D');
    try {
      if (ephemeral) {
        if (!to.handle) return { kind: 'failed', error: 'private reply without a user' };
        await this.web.chat.postEphemeral({ channel: to.channel, user: to.handle, text });
      } else {
        await this.web.chat.postMessage({ channel: to.channel, text, unfurl_links: false, unfurl_media: false });
      }
      return { kind: 'sent', value: undefined };
    } catch (err) {
      const code = platformError(err);
      const url = to.handle ? this.responseUrl(to.channel, to.handle) : undefined;
      if (url && code && ['channel_not_found', 'not_in_channel', 'user_not_in_channel', 'is_archived'].includes(code)) {
        // Private stays private: a DM between two people (`D…`) is not the bot's DM.
        return this.postToResponseUrl(url, text, reply.private);
      }
      return this.failure(err, ephemeral ? 'chat.postEphemeral' : 'chat.postMessage', to.channel);
    }
  }

  /** Paging by direct message: chat.postMessage to the user id opens (or reuses) the bot's DM with them. */
  async sendDirect(userId: string, text: string): Promise<SendResult<void>> {
    try {
      await this.web.chat.postMessage({ channel: userId, text: fit(text, 3900, true), unfurl_links: false, unfurl_media: false });
      return { kind: 'sent', value: undefined };
    } catch (err) {
      return this.failure(err, 'chat.postMessage', userId);
    }
  }

  /**
   * Uploads the image as a file into the channel with the words as its message
   * (files.getUploadURLExternal, the upload, files.completeUploadExternal: the SDK's filesUploadV2).
   */
  async postImage(channel: string, message: ImageMessage): Promise<SendResult<void>> {
    try {
      await this.web.filesUploadV2({
        channel_id: channel,
        file: message.png,
        filename: 'dutybot-chart.png',
        title: message.title,
        alt_text: message.title,
        initial_comment: fit(message.text, 3900, true),
      });
    } catch (err) {
      return this.failure(err, 'files.uploadV2', channel);
    }
    if (!message.mutes?.alerts.length) return { kind: 'sent', value: undefined };
    // One-click mutes: the card's own mute choice (`dutybot:mute`, block `dutybot:<alertId>`), so
    // a choice goes through the same path as on an alert card.
    const m = message.mutes;
    try {
      await this.web.chat.postMessage({
        channel,
        text: m.alerts.map((a) => a.text).join('\n'),
        blocks: m.alerts.slice(0, 5).map((a) => ({
          type: 'section' as const,
          block_id: `${ACTION_PREFIX}${a.alertId}`,
          text: { type: 'mrkdwn' as const, text: fit(a.text, 2900, true) },
          accessory: {
            type: 'static_select' as const,
            action_id: `${ACTION_PREFIX}mute`,
            placeholder: { type: 'plain_text' as const, text: m.label },
            options: m.options.map((o) => ({ text: { type: 'plain_text' as const, text: o.label }, value: o.value })),
          },
        })),
        unfurl_links: false,
        unfurl_media: false,
      });
      return { kind: 'sent', value: undefined };
    } catch (err) {
      return this.failure(err, 'chat.postMessage', channel);
    }
  }

  /** A `stats` answer is for the channel: the same upload where the command was typed. */
  async replyImage(to: ReplyTarget, message: ImageMessage): Promise<SendResult<void>> {
    return this.postImage(to.channel, message);
  }

  private failure(err: unknown, method: string, channel: string): SendResult<never> {
    const f = classify(err);
    if (f.kind === 'failed' && AUTH_ERRORS.has(f.error)) this.authProblem = `Slack refused the bot token (${f.error})`;
    this.log.warn({ method, channel, result: f.kind, error: f.error }, 'slack call did not succeed');
    return f;
  }

  private responseUrl(channel: string, user: string): string | undefined {
    const hit = this.responseUrls.get(`${channel}:${user}`);
    return hit && Date.now() - hit.at < RESPONSE_URL_TTL_MS ? hit.url : undefined;
  }

  private rememberResponseUrl(channel: string, user: string, url: unknown): void {
    if (typeof url !== 'string') return;
    // Only Slack's own hooks (or, in tests, the API host we were pointed at): the URL comes from
    // a signed payload, but we still never post to an arbitrary address.
    const apiOrigin = this.opts.apiUrl ? new URL(this.opts.apiUrl).origin : undefined;
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      return;
    }
    if (!(url.startsWith('https://hooks.slack.com/') || origin === apiOrigin)) return;
    const now = Date.now();
    for (const [k, v] of this.responseUrls) {
      if (now - v.at < RESPONSE_URL_TTL_MS && this.responseUrls.size < 5_000) break;
      this.responseUrls.delete(k);
    }
    this.responseUrls.delete(`${channel}:${user}`);
    this.responseUrls.set(`${channel}:${user}`, { url, at: now });
  }

  private async postToResponseUrl(url: string, text: string, privately: boolean): Promise<SendResult<void>> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: privately ? 'ephemeral' : 'in_channel', replace_original: false, text }),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 15_000),
      });
      if (res.ok) return { kind: 'sent', value: undefined };
      return res.status === 429 || res.status >= 500
        ? { kind: 'retry', afterMs: 5_000, error: `response_url http ${res.status}` }
        : { kind: 'failed', error: `response_url http ${res.status}` };
    } catch (err) {
      return { kind: 'retry', afterMs: 5_000, error: `response_url: ${(err as Error).message}` };
    }
  }

  // -------------------------------------------------------------------------------------------
  // Connection

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      // Bolt calls auth.test inside `new App()` unless botId/botUserId are given, and keeps a
      // rejected promise from it for good: ask first, with errors we can see and retry.
      const auth = await this.web.auth.test();
      if (this.stopped) return;
      this.botUserId = auth.user_id;
      const socket = this.opts.appToken
        ? new SocketModeReceiver({
            appToken: this.opts.appToken,
            logger: this.boltLog,
            // Socket Mode's own WebClient (apps.connections.open) takes its options from here.
            installerOptions: { clientOptions: this.opts.apiUrl ? { slackApiUrl: this.opts.apiUrl } : {} },
          })
        : undefined;
      const app = new App({
        token: this.opts.botToken,
        ...(auth.bot_id ? { botId: auth.bot_id } : {}),
        ...(auth.user_id ? { botUserId: auth.user_id } : {}),
        // With ids given there is nothing to verify; should one be missing, Bolt asks lazily,
        // inside event processing where a failure is caught, not in the constructor.
        tokenVerificationEnabled: false,
        receiver: socket ?? this.receiver,
        logger: this.boltLog,
        clientOptions: { ...this.clientOptions },
        convoStore: false,
      });
      this.listen(app);
      if (socket) {
        this.socket = socket;
        this.watchSocket(socket);
        await withTimeout(app.start(), SOCKET_HELLO_TIMEOUT_MS, 'socket mode did not connect');
      }
      if (this.stopped) return;
      this.app = app;
      this.state = { state: 'ready' };
      this.reconnectDelay = FIRST_RECONNECT_MS;
      this.log.info({ mode: socket ? 'socket' : 'http', botUserId: auth.user_id, team: auth.team }, 'slack adapter ready');
    } catch (err) {
      if (this.stopped) return;
      const detail = classify(err).error;
      this.state = { state: 'degraded', detail };
      const socket = this.socket;
      this.socket = undefined;
      if (socket) await socket.stop().catch(() => {});
      this.log.warn({ error: detail, retryInMs: this.reconnectDelay }, 'slack adapter not connected; will retry');
      this.reconnectTimer = setTimeout(() => void this.connect(), this.reconnectDelay);
      this.reconnectTimer.unref();
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_MS);
    }
  }

  private watchSocket(socket: SocketModeReceiver): void {
    socket.client.on('connected', () => {
      if (!this.stopped && this.app) this.state = { state: 'ready' };
    });
    socket.client.on('reconnecting', () => {
      if (!this.stopped) this.state = { state: 'degraded', detail: 'socket mode reconnecting' };
    });
    socket.client.on('disconnected', () => {
      if (!this.stopped && this.app) this.state = { state: 'degraded', detail: 'socket mode disconnected' };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Inbound

  private listen(app: App): void {
    app.error(async (err) => {
      this.log.error({ err, code: (err as { code?: string }).code }, 'slack event processing failed');
    });

    app.action(new RegExp(`^${ACTION_PREFIX}`), async ({ ack, body, action }) => {
      await ack();
      const b = body as unknown as Record<string, unknown>;
      const req = choiceRequest(b, action) ?? actionRequest(b, action);
      if (!req) {
        this.log.warn({ actionId: (action as { action_id?: string }).action_id }, 'slack action not understood');
        return;
      }
      this.rememberResponseUrl(req.channel, req.userId, b.response_url);
      await this.dispatch(req);
    });
    // Other interactive elements (link buttons post block_actions too) still need their ack.
    app.action(new RegExp(`^(?!${ACTION_PREFIX})`), async ({ ack }) => {
      await ack();
    });

    app.command(COMMAND, async ({ ack, command }) => {
      await ack();
      const req = slashCommandRequest(command);
      if (!req) return;
      this.rememberResponseUrl(req.channel, req.userId, command.response_url);
      await this.dispatch(req);
    });
    app.command(new RegExp(`^(?!${COMMAND}$)`), async ({ ack, command }) => {
      await ack({ response_type: 'ephemeral', text: `Try ${COMMAND} help · 试试 ${COMMAND} help (not ${command.command})` });
    });

    // Events are acknowledged by Bolt before listeners run.
    app.event('app_mention', async ({ event, body }) => {
      const req = messageRequest(body, event, this.botUserId);
      if (req) await this.dispatch(req);
    });
    app.event('message', async ({ event, body }) => {
      // Only direct messages to the bot: channel messages arrive as app_mention when addressed.
      if ((event as { channel_type?: string }).channel_type !== 'im') return;
      const req = messageRequest(body, event, this.botUserId);
      if (req) await this.dispatch(req);
    });
  }

  /** Runs the core's handler once per delivery and sends its answer; never throws. */
  private async dispatch(req: InboundRequest): Promise<void> {
    if (req.deliveryId && this.seen.check(req.deliveryId)) {
      this.log.info({ deliveryId: req.deliveryId, kind: req.kind }, 'slack redelivery ignored');
      return;
    }
    const handler = this.handler;
    if (!handler) return;
    try {
      const answer = await handler(req);
      if (!answer || !answer.text) return;
      const sent = await this.reply(req.replyTo, answer);
      if (sent.kind !== 'sent') this.log.warn({ deliveryId: req.deliveryId, error: sent.error }, 'slack reply not delivered');
    } catch (err) {
      this.log.error({ err, kind: req.kind, deliveryId: req.deliveryId }, 'slack request handler failed');
    }
  }
}

/**
 * ExpressReceiver that answers 400 at once to a signed body Bolt cannot classify. Bolt would
 * otherwise throw on some shapes (500) and sit three seconds on others before a 404. The check
 * runs after the signature middleware, so unsigned junk still gets Bolt's 401.
 */
class GuardedExpressReceiver extends ExpressReceiver {
  override async requestHandler(req: Request, res: Response): Promise<void> {
    if (!isKnownSlackBody(req.body)) {
      res.status(400).end();
      return;
    }
    return super.requestHandler(req, res);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_ok, fail) => {
    timer = setTimeout(() => fail(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}


