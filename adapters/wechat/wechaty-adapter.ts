import { randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import QRCode from 'qrcode';
import express, { type Router } from 'express';
import {
  qrcodeValueToImageUrl,
  ScanStatus,
  types,
  WechatyBuilder,
  type Contact,
  type ContactSelf,
  type Message,
  type Room,
  type Wechaty,
  type WechatyOptions,
} from 'wechaty';
import type { Card } from '../../src/bot/card.js';
import type {
  AdapterCapabilities,
  AdapterStatus,
  BotReply,
  ChatAdapter,
  CommandRequest,
  InboundHandler,
  MessageRef,
  ReplyTarget,
  SendResult,
} from '../../src/bot/chat-adapter.js';
// The one piece of the core used here: pure, and the same grammar the core applies afterwards,
// so "is this a command?" is answered exactly as the core would answer it.
import { parseCommand } from '../../src/bot/commands.js';
import { isRunCommand } from '../../src/bot/run-command.js';
import type { Logger } from '../../src/log.js';
import { SeenIds } from '../../src/bot/seen-ids.js';
import { parseGroupText } from './inbound.js';
import { clipChars, wechatText } from './render.js';
import { bridgeWechatyLog } from './sdk-log.js';

/** A puppet instance (tests: wechaty-puppet-mock; closer to production: PuppetService). */
export type WechatyPuppet = Exclude<NonNullable<WechatyOptions['puppet']>, string>;

/** Options of puppets resolved by name; `wechaty-puppet-service` reads the same from WECHATY_PUPPET_SERVICE_*. */
export interface WechatyPuppetOptions {
  endpoint?: string;
  token?: string;
  tls?: { disable?: boolean; caCert?: string; serverName?: string };
  [key: string]: unknown;
}

export interface WechatyAdapterOptions {
  /** Wechaty's name, also the memory-card file name (`<memoryDir>/<name>.memory-card.json`). Default `dutybot`. */
  name?: string;
  /**
   * A puppet instance, or a puppet's npm name (`wechaty-puppet-service`, `wechaty-puppet-padlocal`,
   * `wechaty-puppet-xp`). Unset: wechaty's own choice from WECHATY_PUPPET.
   */
  puppet?: WechatyPuppet | string;
  /** Only with a puppet name. For `wechaty-puppet-service`, token and endpoint also come from env. */
  puppetOptions?: WechatyPuppetOptions;
  /** Where the login session (memory card) is kept across restarts; unset: kept in memory only. */
  memoryDir?: string;
  /** Bearer token for `GET /admin/wechat/qr`; without it no admin route is mounted. */
  adminToken?: string;
  log: Logger;
  /** Commands older than this are ignored: puppets may replay recent history after a login. */
  maxMessageAgeMs?: number;
  /** First delay before starting the puppet again after it failed to start; doubles up to 5 min. */
  retryDelayMs?: number;
  /** Told what became of each group message (diagnostics; tests wait on it instead of sleeping). */
  onInbound?: (event: InboundOutcome) => void;
}

export interface InboundOutcome {
  messageId: string;
  outcome: 'forwarded' | 'ignored';
  /** Why a message was ignored: `self`, `direct`, `not-text`, `old`, `chatter`, `duplicate`. */
  reason?: string;
}

export const WECHAT_QR_PATH = '/admin/wechat/qr';

const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 300_000;
/** start() waits this long for the puppet; a slow one keeps starting in the background. */
const START_WAIT_MS = 10_000;
/** Right after a login the puppet may still be loading the room list: a missing room is retried. */
const ROOM_SYNC_GRACE_MS = 120_000;
const NOT_LOGGED_IN_RETRY_MS = 30_000;
const SEND_RETRY_MS = 10_000;
const DEFAULT_MAX_AGE_MS = 10 * 60_000;

/**
 * Personal WeChat groups through wechaty. Cards go out as text (no buttons, no edits); the core
 * posts changes of state, owner or mute, and grown summaries, as new messages. People answer by typing a command (`认领 12`),
 * by @-mentioning the bot, or by quoting a card and typing `认领`.
 *
 * The account logs in by QR code: the `scan` event's URL is logged and served on
 * `GET /admin/wechat/qr` (bearer `adminToken`). Puppets that keep the session locally store it
 * in the memory card under `memoryDir`, so a restart does not ask for a new scan.
 */
export class WechatyAdapter implements ChatAdapter {
  readonly platform = 'wechat' as const;
  readonly capabilities: AdapterCapabilities = { edit: false, buttons: false, receive: true };
  readonly router: Router | undefined;

  private readonly log: Logger;
  private readonly seen = new SeenIds(10_000, 3_600_000);
  /** Configured channel (room id or topic) → room. */
  private readonly rooms = new Map<string, Room>();
  private bot: Wechaty | undefined;
  private handler: InboundHandler | undefined;
  private state: AdapterStatus = { state: 'off' };
  private qr: { value: string; status: string; at: number } | undefined;
  private self: { id: string; name: string } | undefined;
  private loggedInAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private stopped = true;
  private connecting: Promise<void> | undefined;

  constructor(private readonly opts: WechatyAdapterOptions) {
    this.log = opts.log.child({ platform: 'wechat' });
    this.retryDelay = opts.retryDelayMs ?? FIRST_RETRY_MS;
    // Every puppet reads its token from a WECHATY_…TOKEN variable (…_SERVICE_TOKEN, …_PADLOCAL_TOKEN).
    const envTokens = Object.entries(process.env).flatMap(([k, v]) => (/^WECHATY_\w*TOKEN$/.test(k) && v ? [v] : []));
    const secrets = [opts.puppetOptions?.token, opts.adminToken, ...envTokens].filter(
      (s): s is string => typeof s === 'string' && s.length > 0,
    );
    bridgeWechatyLog(this.log, secrets);
    this.router = opts.adminToken ? this.adminRouter(opts.adminToken) : undefined;
  }

  /**
   * `null` when WECHATY_PUPPET is unset: WeChat is off. The puppet reads its own settings
   * (WECHATY_PUPPET_SERVICE_TOKEN, WECHATY_PUPPET_SERVICE_ENDPOINT, …) from the environment.
   */
  static fromEnv(env: NodeJS.ProcessEnv, dataDir: string, log: Logger): WechatyAdapter | null {
    const puppet = env.WECHATY_PUPPET?.trim();
    if (!puppet) return null;
    const name = env.WECHATY_NAME?.trim() || 'dutybot';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new Error('WECHATY_NAME: use letters, digits, _ . - (at most 64)');
    const adminToken = env.WECHAT_ADMIN_TOKEN?.trim() || undefined;
    if (adminToken && adminToken.length < 16) throw new Error('WECHAT_ADMIN_TOKEN: at least 16 characters');
    return new WechatyAdapter({ name, puppet, memoryDir: join(dataDir, 'wechat'), log, ...(adminToken ? { adminToken } : {}) });
  }

  status(): AdapterStatus {
    return { ...this.state };
  }

  /** The latest login QR code payload while the account is not logged in. */
  qrCode(): string | undefined {
    return this.qr?.value;
  }

  /** The wechaty instance (for tests and diagnostics); undefined before `start()`. */
  get wechaty(): Wechaty | undefined {
    return this.bot;
  }

  /**
   * Never throws: a puppet that cannot start (service unreachable, module not installed) leaves
   * the adapter `degraded` and is started again with a growing delay. Waits at most
   * START_WAIT_MS for the puppet; logging in (a QR scan) is not waited for.
   */
  async start(handler: InboundHandler): Promise<void> {
    this.handler = handler;
    if (!this.stopped) return;
    this.stopped = false;
    this.state = { state: 'starting', detail: 'starting the puppet' };
    const first = this.connect();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([first, new Promise<void>((ok) => (timer = setTimeout(ok, START_WAIT_MS)))]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.connecting?.catch(() => {});
    const bot = this.bot;
    this.state = { state: 'off' };
    this.rooms.clear();
    if (bot) await bot.stop().catch((err: unknown) => this.log.warn({ error: errorText(err) }, 'wechaty stop failed'));
    this.state = { state: 'off' };
  }

  // -------------------------------------------------------------------------------------------
  // Outbound

  async post(channel: string, card: Card): Promise<SendResult<MessageRef>> {
    // A follow-up @-mentions the alert's new owner, so the person who now has it is notified.
    const ownerId = card.kind === 'summary' ? card.mentions?.find((m) => m.wechat)?.wechat : undefined;
    const owner = ownerId && this.bot?.isLoggedIn ? await this.bot.Contact.find({ id: ownerId }).catch(() => undefined) : undefined;
    const sent = await this.say(channel, wechatText(card), owner ?? undefined);
    if (sent.kind !== 'sent') return sent;
    const messageId = sent.value || `wx-${randomUUID()}`;
    return { kind: 'sent', value: { platform: 'wechat', channel, messageId } };
  }

  /** WeChat cannot edit a message (the core knows, from `capabilities`). */
  async update(_ref: MessageRef, _card: Card): Promise<SendResult<void>> {
    return { kind: 'unsupported', error: 'WeChat cannot edit a message' };
  }

  /**
   * Answers in the room, @-mentioning the person (`handle` is their contact id). WeChat has no
   * private messages inside a group, so private answers are mentioned answers too.
   */
  async reply(to: ReplyTarget, reply: BotReply): Promise<SendResult<void>> {
    const text = clipChars(reply.text, 3900);
    let contact: Contact | undefined;
    if (to.handle && this.bot?.isLoggedIn) {
      contact = await this.bot.Contact.find({ id: to.handle }).catch(() => undefined);
    }
    const sent = await this.say(to.channel, text, contact);
    return sent.kind === 'sent' ? { kind: 'sent', value: undefined } : sent;
  }

  /** Paging by direct message: contact.say() to the member's WeChat contact id (a friend of the bot account). */
  async sendDirect(userId: string, text: string): Promise<SendResult<void>> {
    const bot = this.bot;
    if (!bot || !bot.isLoggedIn) return { kind: 'retry', afterMs: NOT_LOGGED_IN_RETRY_MS, error: 'wechat account not logged in' };
    const contact = await bot.Contact.find({ id: userId }).catch(() => undefined);
    if (!contact) return { kind: 'failed', error: `wechat contact not found: ${clipChars(userId, 80)} (is the person a friend of the bot account?)` };
    try {
      await contact.say(clipChars(text, 3900));
      return { kind: 'sent', value: undefined };
    } catch (err) {
      return { kind: 'retry', afterMs: SEND_RETRY_MS, error: `send: ${errorText(err)}` };
    }
  }

  /** Sends one text to a room; the value is the message id when the puppet reports one. */
  private async say(channel: string, text: string, mention?: Contact): Promise<SendResult<string | undefined>> {
    const bot = this.bot;
    if (!bot || !bot.isLoggedIn) return { kind: 'retry', afterMs: NOT_LOGGED_IN_RETRY_MS, error: 'wechat account not logged in' };
    let room: Room | undefined;
    try {
      room = await this.findRoom(bot, channel);
    } catch (err) {
      return { kind: 'retry', afterMs: SEND_RETRY_MS, error: `room lookup: ${errorText(err)}` };
    }
    if (!room) {
      const error = `wechat room not found: "${clipChars(channel, 80)}" (is the bot account a member? is the topic exact?)`;
      // Puppets load the room list after login; a room missing at first may just not be there yet.
      if (Date.now() - this.loggedInAt < ROOM_SYNC_GRACE_MS) return { kind: 'retry', afterMs: NOT_LOGGED_IN_RETRY_MS, error };
      this.log.warn({ channel: clipChars(channel, 80) }, 'wechat room not found');
      return { kind: 'failed', error };
    }
    let target = mention;
    if (target && !(await room.alias(target).then(() => true, () => false))) {
      // room.say(text, contact) looks up the person's group nickname first and throws, before
      // sending, for someone no longer in the group: answer them by name instead.
      text = `@${target.name()} ${text}`;
      target = undefined;
    }
    try {
      const msg = target ? await room.say(text, target) : await room.say(text);
      return { kind: 'sent', value: msg ? msg.id : undefined };
    } catch (err) {
      // The room may have gone (bot removed, group dissolved): look it up afresh next time.
      this.rooms.delete(channel);
      const error = errorText(err);
      this.log.warn({ channel: clipChars(channel, 80), error }, 'wechat send did not succeed');
      return { kind: 'retry', afterMs: SEND_RETRY_MS, error: `send: ${error}` };
    }
  }

  /** By room id first (`…@chatroom`), then by exact topic; cached per configured channel. */
  private async findRoom(bot: Wechaty, channel: string): Promise<Room | undefined> {
    const cached = this.rooms.get(channel);
    if (cached) return cached;
    // findAll({id}) goes through the puppet's roomSearch, which answers [] for an unknown id
    // (Room.find({id}) would load a room object for any string).
    const byId = (await bot.Room.findAll({ id: channel }))[0];
    const room = byId ?? (await bot.Room.find({ topic: channel }));
    if (room) this.rooms.set(channel, room);
    return room;
  }

  // -------------------------------------------------------------------------------------------
  // Connection

  private build(): Wechaty {
    const { name, puppet, puppetOptions, memoryDir } = this.opts;
    // Wechaty keeps its memory card in `<name>.memory-card.json` relative to the working directory,
    // or at an absolute path: the data dir's file survives restarts. Without a memoryDir no name is
    // given, and the card stays in memory (tests must not leave files behind).
    let cardName: string | undefined;
    if (memoryDir) {
      mkdirSync(memoryDir, { recursive: true });
      cardName = join(memoryDir, name ?? 'dutybot');
    }
    const options: WechatyOptions =
      typeof puppet === 'string'
        ? {
            ...(cardName ? { name: cardName } : {}),
            // Any npm name is accepted at runtime; the type lists only wechaty's official ones.
            puppet: puppet as Extract<WechatyOptions['puppet'], string>,
            ...(puppetOptions ? { puppetOptions } : {}),
          }
        : { ...(cardName ? { name: cardName } : {}), ...(puppet ? { puppet } : {}) };
    const bot = WechatyBuilder.build(options);
    this.listen(bot);
    return bot;
  }

  private connect(): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.stopped) return;
      let failure: string | undefined;
      try {
        this.bot ??= this.build();
        await this.bot.start();
      } catch (err) {
        failure = errorText(err);
      }
      if (this.stopped) return;
      const bot = this.bot;
      if (!failure && bot && puppetStarted(bot)) {
        this.retryDelay = this.opts.retryDelayMs ?? FIRST_RETRY_MS;
        if (!bot.isLoggedIn && this.state.state !== 'ready') this.state = { state: 'starting', detail: this.waitingDetail() };
        this.log.info({ puppet: puppetName(this.opts.puppet) }, 'wechaty started; waiting for login');
        return;
      }
      // wechaty.start() reports a puppet that did not start as an `error` event, not a rejection.
      const detail = failure ?? (this.state.state === 'degraded' ? this.state.detail : undefined) ?? 'the puppet did not start';
      this.state = { state: 'degraded', detail };
      this.log.warn({ error: this.state.detail, retryInMs: this.retryDelay }, 'wechaty puppet not started; will retry');
      if (bot) await bot.stop().catch(() => {});
      if (this.stopped) return;
      this.retryTimer = setTimeout(() => void this.connect(), this.retryDelay);
      this.retryTimer.unref();
      this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_MS);
    };
    const p = run().finally(() => {
      if (this.connecting === p) this.connecting = undefined;
    });
    this.connecting = p;
    return p;
  }

  private waitingDetail(): string {
    return this.qr ? 'waiting for the QR code to be scanned' : 'waiting for login';
  }

  private listen(bot: Wechaty): void {
    bot.on('scan', (qrcode: string, status: ScanStatus) => {
      if (this.stopped) return;
      const statusName = ScanStatus[status] ?? String(status);
      if (qrcode && (status === ScanStatus.Waiting || status === ScanStatus.Timeout || status === ScanStatus.Unknown)) {
        this.qr = { value: qrcode, status: statusName, at: Date.now() };
        // The QR payload is a login URL for this account, not a credential of ours: it is shown so
        // someone can scan it (here, or on the admin route).
        this.log.info({ qrUrl: qrcodeValueToImageUrl(qrcode), scanStatus: statusName }, 'wechat login: scan the QR code with the bot account');
      } else {
        this.log.info({ scanStatus: statusName }, 'wechat login: QR code scanned, confirm on the phone');
      }
      if (this.state.state !== 'ready') this.state = { state: this.state.state === 'degraded' ? 'degraded' : 'starting', detail: this.waitingDetail() };
    });

    bot.on('login', (user: ContactSelf) => {
      if (this.stopped) return;
      this.qr = undefined;
      this.self = { id: user.id, name: user.name() };
      this.loggedInAt = Date.now();
      this.rooms.clear();
      this.state = { state: 'ready' };
      this.log.info({ user: this.self.name }, 'wechat account logged in');
    });

    bot.on('logout', (user: ContactSelf, reason?: string) => {
      if (this.stopped) return;
      this.rooms.clear();
      this.state = { state: 'degraded', detail: `logged out${reason ? ` (${reason})` : ''}: scan the QR code again` };
      this.log.warn({ user: user.name(), reason }, 'wechat account logged out');
    });

    bot.on('error', (err: unknown) => {
      if (this.stopped) return;
      const error = errorText(err);
      // After login most errors are one failed lookup (a payload, a room); before it, an error
      // usually means the puppet cannot reach its service, which readiness should show.
      if (!bot.isLoggedIn) this.state = { state: 'degraded', detail: error };
      this.log.warn({ error }, 'wechaty error');
    });

    bot.on('message', (msg: Message) => {
      void this.onMessage(msg).catch((err: unknown) => this.log.error({ error: errorText(err) }, 'wechat message handling failed'));
    });
  }

  // -------------------------------------------------------------------------------------------
  // Inbound

  private async onMessage(msg: Message): Promise<void> {
    if (this.stopped || !this.handler) return;
    const req = await this.toRequest(msg);
    if (typeof req === 'string') {
      this.opts.onInbound?.({ messageId: msg.id, outcome: 'ignored', reason: req });
      return;
    }
    this.opts.onInbound?.({ messageId: msg.id, outcome: 'forwarded' });
    const handler = this.handler;
    try {
      const answer = await handler(req);
      if (!answer || !answer.text) return;
      const sent = await this.reply(req.replyTo, answer);
      if (sent.kind !== 'sent') this.log.warn({ deliveryId: req.deliveryId, error: sent.error }, 'wechat reply not delivered');
    } catch (err) {
      this.log.error({ error: errorText(err), deliveryId: req.deliveryId }, 'wechat request handler failed');
    }
  }

  /** The request a group message makes, or why it makes none. */
  private async toRequest(msg: Message): Promise<CommandRequest | string> {
    if (msg.self()) return 'self';
    const room = msg.room();
    if (!room) return 'direct'; // dutybot works in groups
    if (msg.type() !== types.Message.Text) return 'not-text';
    if (msg.age() * 1000 > (this.opts.maxMessageAgeMs ?? DEFAULT_MAX_AGE_MS)) return 'old';

    const parsed = parseGroupText(msg.text(), await this.botNames(room));
    const mentioned = parsed.mentioned || (await msg.mentionSelf().catch(() => false));
    const quoted = parsed.quotedAlertRef ? { quotedAlertRef: parsed.quotedAlertRef } : {};
    // Ordinary chatter stays ordinary: only commands, or texts addressed to the bot, go to the core.
    if (!mentioned && !parseCommand(parsed.text, quoted).ok && !isRunCommand(parsed.text)) return 'chatter';
    if (this.seen.check(msg.id)) {
      this.log.info({ deliveryId: msg.id }, 'wechat message delivered twice: ignored');
      return 'duplicate';
    }

    const talker = msg.talker();
    const req: CommandRequest = {
      kind: 'command',
      platform: 'wechat',
      userId: talker.id,
      channel: room.id,
      text: parsed.text,
      replyTo: { platform: 'wechat', channel: room.id, handle: talker.id },
      deliveryId: msg.id,
      ...quoted,
    };
    const userName = talker.name();
    if (userName) req.userName = userName;
    // Teams name their WeChat group by topic in the config: pass it on so the core finds the team.
    const topic = await room.topic().catch(() => '');
    if (topic) req.channelName = topic;
    return req;
  }

  /** The bot's WeChat name and its nickname in this group: people @-mention either. */
  private async botNames(room: Room): Promise<string[]> {
    const names: string[] = [];
    if (this.self) names.push(this.self.name);
    const bot = this.bot;
    if (bot?.isLoggedIn) {
      const alias = await room.alias(bot.currentUser).catch(() => undefined);
      if (alias) names.push(alias);
    }
    return names;
  }

  // -------------------------------------------------------------------------------------------
  // Admin

  private adminRouter(token: string): Router {
    const router = express.Router();
    // The PNG is for a browser, which cannot set a header: it also takes ?token=.
    router.get(`${WECHAT_QR_PATH}.png`, async (req, res) => {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1] ?? (typeof req.query.token === 'string' ? req.query.token : undefined);
      if (!given || !sameSecret(given, token)) {
        res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'send "Authorization: Bearer <WECHAT_ADMIN_TOKEN>" or ?token=' });
        return;
      }
      const qr = this.qr;
      if (!qr) {
        res.status(404).json({ error: 'no login QR code pending', status: this.status() });
        return;
      }
      res.set('Cache-Control', 'no-store').type('image/png').send(await QRCode.toBuffer(qr.value, { type: 'png', margin: 2, width: 320 }));
    });
    router.get(WECHAT_QR_PATH, (req, res) => {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
      if (!given || !sameSecret(given, token)) {
        res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'send "Authorization: Bearer <WECHAT_ADMIN_TOKEN>"' });
        return;
      }
      const qr = this.qr;
      res.set('Cache-Control', 'no-store').json({
        status: this.status(),
        qr: qr?.value ?? null,
        url: qr ? qrcodeValueToImageUrl(qr.value) : null,
        scanStatus: qr?.status ?? null,
        at: qr ? new Date(qr.at).toISOString() : null,
      });
    });
    return router;
  }
}

function puppetStarted(bot: Wechaty): boolean {
  try {
    return bot.puppet.state.active() === true;
  } catch {
    return false; // no puppet at all: it could not be resolved
  }
}

function puppetName(p: WechatyAdapterOptions['puppet']): string {
  if (typeof p === 'string') return p;
  if (!p) return process.env.WECHATY_PUPPET ?? 'wechaty default';
  try {
    return p.name();
  } catch {
    return 'instance';
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
