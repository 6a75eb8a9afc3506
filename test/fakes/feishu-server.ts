import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { decodeFrame, encodeFrame, FRAME_CONTROL, FRAME_DATA, header, type Frame } from './feishu-frames.js';

/**
 * A fake of Feishu's open platform on 127.0.0.1, speaking what the real SDK speaks:
 * - `POST /callback/ws/endpoint` {AppID, AppSecret} → `{code, data: {URL, ClientConfig}}`, then a
 *   WebSocket at that URL carrying protobuf frames (feishu-frames.ts): pings answered with pongs,
 *   events pushed as data frames (optionally in fragments), each acknowledged by the client with
 *   the same frame and a payload `{code, data: base64(answer)}`.
 * - the open API: tenant token, `im/v1/messages` create / patch / reply, `ephemeral/v1/send`,
 *   each refused without a token it issued.
 * - custom bots: `POST /open-apis/bot/v2/hook/<token>`, checking the signature (timestamp within
 *   an hour, `sign` = base64 HMAC-SHA256 keyed by `timestamp\nsecret`), 100 a minute and 5 a
 *   second per bot (code 11232 beyond), and the 20 KB body limit. Time from `now` (a fake clock).
 */

export interface FeishuMessage {
  message_id: string;
  receive_id_type: string;
  receive_id: string;
  msg_type: string;
  /** The content as last set (a card's JSON after patches). */
  content: Record<string, unknown>;
  patches: number;
  /** The message this one replies to. */
  parent_id?: string;
}

export interface BotMessage {
  token: string;
  body: Record<string, unknown>;
  at: number;
}

export interface EventAck {
  /** The client's `code` (200 when its handler succeeded). */
  code: number;
  /** The handler's answer, decoded (a card callback's `{toast, card}`). */
  answer: Record<string, unknown> | undefined;
}

const MINUTE = 60_000;

/** The parts of `ws` the fake uses (the project has no @types/ws). */
interface WebSocket {
  send(data: Buffer): void;
  terminate(): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'close', fn: () => void): void;
}
interface WsServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WebSocket) => void): void;
}
const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: new (opts: { noServer: true }) => WsServer };

export class FakeFeishu {
  readonly appId = 'cli_a1b2c3d4e5f60718';
  readonly appSecret = 'fake-app-secret-0123456789';
  readonly botOpenId = 'ou_dutybot0000000000';
  readonly messages = new Map<string, FeishuMessage>();
  readonly ephemerals: Array<Record<string, unknown>> = [];
  readonly botMessages: BotMessage[] = [];
  readonly botRefusals: Array<{ token: string; code: number; at: number }> = [];
  /** Every open API request's method and path, for asserting what was (not) called. */
  readonly calls: Array<{ method: string; path: string }> = [];
  origin = '';
  private server?: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<Socket>();
  private readonly clients = new Set<WebSocket>();
  private readonly tokens = new Set<string>();
  private readonly bots = new Map<string, string | undefined>();
  private readonly pending = new Map<string, (ack: EventAck) => void>();
  private connections = 0;
  private seq = 0;

  private constructor(readonly now: () => number) {}

  static async start(opts: { now?: () => number } = {}): Promise<FakeFeishu> {
    const fake = new FakeFeishu(opts.now ?? Date.now);
    const server = createServer((req, res) => void fake.serve(req, res));
    server.on('connection', (s) => {
      fake.sockets.add(s);
      s.on('close', () => fake.sockets.delete(s));
    });
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/ws?')) return void socket.destroy();
      fake.wss.handleUpgrade(req, socket, head, (ws) => fake.accept(ws));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    fake.server = server;
    fake.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const ws of this.clients) ws.terminate();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((ok) => this.server?.close(() => ok()) ?? ok());
  }

  /** A custom bot's webhook URL; with a secret, requests must be signed. */
  addBot(token: string, secret?: string): string {
    this.bots.set(token, secret);
    return `${this.origin}/open-apis/bot/v2/hook/${token}`;
  }

  /** Messages the app sent to a chat (cards and texts), in order. */
  inChat(chatId: string): FeishuMessage[] {
    return [...this.messages.values()].filter((m) => m.receive_id_type === 'chat_id' && m.receive_id === chatId);
  }

  get openConnections(): number {
    return this.clients.size;
  }

  /** Closes every long connection (the SDK reconnects). */
  dropConnections(): void {
    for (const ws of this.clients) ws.terminate();
  }

  async waitForConnection(count = 1, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.connections < count || this.clients.size === 0) {
      if (Date.now() > until) throw new Error('no Feishu long connection');
      await new Promise((ok) => setTimeout(ok, 10));
    }
  }

  /**
   * Pushes a v2 event over the long connection and resolves with the client's acknowledgement.
   * `fragments` > 1 splits the payload as Feishu does for large events (headers `sum`, `seq`).
   */
  sendEvent(eventType: string, event: Record<string, unknown>, opts: { eventId?: string; fragments?: number } = {}): Promise<EventAck> {
    const ws = [...this.clients].at(-1);
    if (!ws) return Promise.reject(new Error('no long connection open'));
    const eventId = opts.eventId ?? `ev_${randomUUID()}`;
    const body = { schema: '2.0', header: { event_id: eventId, event_type: eventType, create_time: String(this.now()), token: 'v-token', app_id: this.appId, tenant_key: 'tenant-1' }, event };
    const bytes = Buffer.from(JSON.stringify(body));
    const sum = Math.max(1, opts.fragments ?? 1);
    const messageId = `msg_${++this.seq}`;
    const acked = new Promise<EventAck>((ok) => this.pending.set(messageId, ok));
    const size = Math.ceil(bytes.length / sum);
    for (let seq = 0; seq < sum; seq++) {
      const frame: Frame = {
        SeqID: this.seq,
        LogID: this.seq,
        service: 1,
        method: FRAME_DATA,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: messageId },
          { key: 'sum', value: String(sum) },
          { key: 'seq', value: String(seq) },
          { key: 'trace_id', value: `trace-${this.seq}` },
        ],
        payload: bytes.subarray(seq * size, (seq + 1) * size),
      };
      ws.send(encodeFrame(frame));
    }
    return acked;
  }

  /** `im.message.receive_v1` for a text message; `@_user_1` in `text` is the bot. */
  sendMessage(m: { chatId: string; openId: string; userId?: string; text: string; chatType?: 'group' | 'p2p'; eventId?: string }): Promise<EventAck> {
    const mentions = m.text.includes('@_user_1') ? [{ key: '@_user_1', id: { open_id: this.botOpenId }, name: 'dutybot', tenant_key: 'tenant-1' }] : [];
    return this.sendEvent(
      'im.message.receive_v1',
      {
        sender: { sender_id: { open_id: m.openId, user_id: m.userId ?? '', union_id: `on_${m.openId}` }, sender_type: 'user', tenant_key: 'tenant-1' },
        message: { message_id: `om_in_${randomUUID()}`, chat_id: m.chatId, chat_type: m.chatType ?? 'group', message_type: 'text', content: JSON.stringify({ text: m.text }), mentions, create_time: String(this.now()) },
      },
      m.eventId ? { eventId: m.eventId } : {},
    );
  }

  /** `card.action.trigger`: a click on a button (`value`) or a menu choice (`option`) of a card message. */
  clickCard(c: { messageId: string; openId: string; value: Record<string, unknown>; option?: string; eventId?: string }): Promise<EventAck> {
    const card = this.messages.get(c.messageId);
    return this.sendEvent(
      'card.action.trigger',
      {
        operator: { open_id: c.openId, tenant_key: 'tenant-1' },
        token: `c-${randomUUID()}`,
        action: { tag: c.option ? 'select_static' : 'button', value: c.value, ...(c.option ? { option: c.option } : {}) },
        host: 'im_message',
        context: { open_message_id: c.messageId, open_chat_id: card?.receive_id ?? '' },
      },
      c.eventId ? { eventId: c.eventId } : {},
    );
  }

  // -------------------------------------------------------------------------------------------

  private accept(ws: WebSocket): void {
    this.connections += 1;
    this.clients.add(ws);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('message', (data: Buffer) => {
      const frame = decodeFrame(data);
      const type = header(frame, 'type');
      if (frame.method === FRAME_CONTROL && type === 'ping') {
        const pong = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 0.05, ReconnectNonce: 0 };
        ws.send(encodeFrame({ ...frame, headers: [{ key: 'type', value: 'pong' }], payload: Buffer.from(JSON.stringify(pong)) }));
        return;
      }
      if (frame.method !== FRAME_DATA) return;
      const messageId = header(frame, 'message_id') ?? '';
      const resp = JSON.parse(Buffer.from(frame.payload ?? []).toString('utf8')) as { code: number; data?: string };
      const answer = resp.data ? (JSON.parse(Buffer.from(resp.data, 'base64').toString('utf8')) as Record<string, unknown>) : undefined;
      this.pending.get(messageId)?.({ code: resp.code, answer });
      this.pending.delete(messageId);
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.origin);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const body = (): Record<string, unknown> => (raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {});
    const hook = /^\/open-apis\/bot\/v2\/hook\/([^/]+)$/.exec(url.pathname);
    if (hook) return send(200, this.botAnswer(hook[1]!, raw));
    this.calls.push({ method: req.method ?? '', path: url.pathname });

    if (url.pathname === '/callback/ws/endpoint') {
      const b = body();
      if (b.AppID !== this.appId || b.AppSecret !== this.appSecret) return send(200, { code: 403, msg: 'app id or secret invalid', data: {} });
      const wsUrl = `${this.origin.replace('http', 'ws')}/ws?device_id=dev-1&service_id=1&ticket=${randomUUID()}`;
      return send(200, { code: 0, msg: 'ok', data: { URL: wsUrl, ClientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 0.05, ReconnectNonce: 0 } } });
    }
    if (url.pathname === '/open-apis/auth/v3/tenant_access_token/internal') {
      const b = body();
      if (b.app_id !== this.appId || b.app_secret !== this.appSecret) return send(400, { code: 10014, msg: 'app secret invalid' });
      const token = `t-${randomUUID()}`;
      this.tokens.add(token);
      return send(200, { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 });
    }
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth || !this.tokens.has(auth[1]!)) return send(400, { code: 99991663, msg: 'Invalid access token for authorization' });

    if (req.method === 'POST' && url.pathname === '/open-apis/im/v1/messages') {
      const b = body();
      const m = this.store(url.searchParams.get('receive_id_type') ?? '', String(b.receive_id), String(b.msg_type), String(b.content));
      return send(200, { code: 0, msg: 'success', data: { message_id: m.message_id, msg_type: m.msg_type } });
    }
    const one = /^\/open-apis\/im\/v1\/messages\/([^/]+)(\/reply)?$/.exec(url.pathname);
    if (one) {
      const target = this.messages.get(one[1]!);
      const b = body();
      if (one[2] && req.method === 'POST') {
        const m = this.store('reply', target?.receive_id ?? one[1]!, String(b.msg_type), String(b.content));
        m.parent_id = one[1]!;
        return send(200, { code: 0, msg: 'success', data: { message_id: m.message_id } });
      }
      if (req.method === 'PATCH') {
        if (!target || target.msg_type !== 'interactive') return send(400, { code: 230001, msg: 'message not found or not a card' });
        target.content = JSON.parse(String(b.content)) as Record<string, unknown>;
        target.patches += 1;
        return send(200, { code: 0, msg: 'success', data: {} });
      }
    }
    if (req.method === 'POST' && url.pathname === '/open-apis/ephemeral/v1/send') {
      this.ephemerals.push(body());
      return send(200, { code: 0, msg: 'ok', data: { message_id: `om_eph_${this.ephemerals.length}` } });
    }
    return send(404, { code: 404, msg: `no fake for ${req.method} ${url.pathname}` });
  }

  private store(idType: string, receiveId: string, msgType: string, content: string): FeishuMessage {
    const m: FeishuMessage = { message_id: `om_${randomUUID().replace(/-/g, '')}`, receive_id_type: idType, receive_id: receiveId, msg_type: msgType, content: JSON.parse(content) as Record<string, unknown>, patches: 0 };
    this.messages.set(m.message_id, m);
    return m;
  }

  private botAnswer(token: string, raw: Buffer): { code: number; msg: string; data?: object } {
    const now = this.now();
    const refuse = (code: number, msg: string) => {
      this.botRefusals.push({ token, code, at: now });
      return { code, msg };
    };
    if (!this.bots.has(token)) return refuse(19001, 'param invalid: incoming webhook access token invalid');
    if (raw.length > 20 * 1024) return refuse(9499, 'request body too large');
    const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    const secret = this.bots.get(token);
    if (secret) {
      const ts = Number(body.timestamp);
      const expected = createHmac('sha256', `${String(body.timestamp)}\n${secret}`).update('').digest('base64');
      if (!Number.isFinite(ts) || Math.abs(now / 1000 - ts) > 3600 || body.sign !== expected) {
        return refuse(19021, 'sign match fail or timestamp is not within one hour from current time');
      }
    }
    const mine = this.botMessages.filter((m) => m.token === token);
    const inMinute = mine.filter((m) => m.at > now - MINUTE).length;
    const inSecond = mine.filter((m) => m.at > now - 1000).length;
    if (inMinute >= 100 || inSecond >= 5) return refuse(11232, 'frequency limited');
    this.botMessages.push({ token, body, at: now });
    return { code: 0, msg: 'success', data: {} };
  }
}
