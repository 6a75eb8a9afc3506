import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * One fake DingTalk on 127.0.0.1 (one port, node:http + `ws`), speaking the real protocols closely
 * enough for the official dingtalk-stream SDK and our adapters:
 *
 * - Stream: `POST /v1.0/gateway/connections/open` → `{endpoint, ticket}`; WebSocket
 *   `/connect?ticket=` (single-use tickets) carrying `{specVersion, type, headers, data}` frames.
 *   `sendRobotMessage` / `sendCardCallback` / `redeliver` / `ping` resolve with the client's ack
 *   frame for that messageId; `dropConnections` closes every socket (reconnect tests).
 * - OpenAPI: `/v1.0/oauth2/accessToken`, `POST /v1.0/card/instances/createAndDeliver`,
 *   `PUT /v1.0/card/instances` (token header checked; cards kept by outTrackId with their current
 *   cardParamMap, which must be string → string), `/v1.0/robot/oToMessages/batchSend`,
 *   `/v1.0/robot/groupMessages/send`. `failNext()` injects an HTTP answer (429, 500, 401…).
 * - Session webhooks `/robot/sendBySession/<id>` handed out with each robot message.
 * - Custom robots `POST /robot/send?access_token=…&timestamp=…&sign=…`: 加签 verified (310000 on
 *   mismatch), 20 messages per rolling minute per access_token then 130101 for 10 minutes, on an
 *   injectable clock.
 *
 * Everything is recorded; `waitFor(predicate)` wakes on each change (no polling, no sleeps).
 */

// `ws` ships no types and @types/ws is not installed: the little we use, typed here.
interface WsSocket {
  readyState: number;
  send(data: string): void;
  close(code?: number): void;
  terminate(): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'close', fn: () => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
}
interface WsServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WsSocket) => void): void;
  close(cb?: () => void): void;
}
const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: new (opts: { noServer: true }) => WsServer };

export const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';
export const TOPIC_CARD = '/v1.0/card/instances/callback';

export interface StreamFrame {
  specVersion: string;
  type: 'SYSTEM' | 'EVENT' | 'CALLBACK';
  headers: { messageId: string; topic: string; contentType: string; time: string; appId?: string; connectionId?: string };
  data: string;
}

/** What the client sends back for a frame (the SDK: `{code: 200, headers, message: 'OK', data}`). */
export interface StreamAck {
  code: number;
  headers: { messageId: string; contentType?: string; [k: string]: unknown };
  message: string;
  data: string;
}

/** `socketCallBackResponse(id, result)` sends `data: JSON.stringify({response: result})`. */
export function ackResponse(ack: StreamAck): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(ack.data) as { response?: unknown };
    return parsed.response && typeof parsed.response === 'object' ? (parsed.response as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface FakeCard {
  outTrackId: string;
  cardTemplateId: string;
  conversationId: string;
  robotCode: string;
  callbackType?: string;
  params: Record<string, string>;
  /** Every cardParamMap it had, oldest first. */
  history: Array<Record<string, string>>;
  updates: number;
}

export interface ApiCall {
  method: string;
  path: string;
  token: string | undefined;
  body: Record<string, unknown>;
  status: number;
  response: unknown;
}

export interface RobotWebhookMessage {
  accessToken: string;
  body: Record<string, unknown>;
  at: number;
}

export interface SessionReply {
  session: string;
  body: Record<string, unknown>;
}

export interface FakeDingTalkOptions {
  clientId?: string;
  clientSecret?: string;
  robotCode?: string;
  corpId?: string;
  /** Custom group robots: access token and, with 加签, its secret. */
  customRobots?: Array<{ accessToken: string; secret?: string }>;
  /** Clock of the custom robots' rate limit and signature check. */
  now?: () => number;
  tokenTtlSeconds?: number;
}

interface Injected {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const ROBOT_LIMIT = 20;
const ROBOT_WINDOW_MS = 60_000;
const ROBOT_THROTTLE_MS = 10 * 60_000;
const OPEN = 1;

export class FakeDingTalk {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly robotCode: string;
  readonly corpId: string;

  /** Gateway requests (connection attempts), with what they subscribed to. */
  readonly gatewayRequests: Array<{ clientId: string; subscriptions: unknown; status: number }> = [];
  /** Every frame a client sent (acks, ping echoes). */
  readonly acks: StreamAck[] = [];
  /** Every frame we sent, by messageId, for `redeliver`. */
  readonly sent = new Map<string, StreamFrame>();
  readonly calls: ApiCall[] = [];
  readonly cards = new Map<string, FakeCard>();
  readonly sessionReplies: SessionReply[] = [];
  readonly privateMessages: Array<{ robotCode: string; userIds: string[]; msgKey: string; msgParam: Record<string, unknown> }> = [];
  readonly groupMessages: Array<{ robotCode: string; openConversationId: string; msgKey: string; msgParam: Record<string, unknown> }> = [];
  readonly robotMessages: RobotWebhookMessage[] = [];
  /** Custom robot answers that were not `errcode: 0`. */
  readonly robotRefusals: Array<{ accessToken: string; errcode: number; errmsg: string }> = [];
  /** Sockets opened so far (a reconnect adds one). */
  connectionsOpened = 0;
  tokensIssued = 0;
  /** When true the gateway answers 503 (the client keeps retrying). */
  gatewayDown = false;
  /** When true WebSocket upgrades are refused with 401 (a failed handshake). */
  refuseSockets = false;
  /** Upgrade requests refused so far. */
  socketsRefused = 0;
  /**
   * The most tickets ever handed out and not yet used: a client that runs one connection attempt
   * at a time never has more than one.
   */
  maxPendingTickets = 0;

  private readonly events = new EventEmitter();
  private readonly sockets = new Set<WsSocket>();
  private readonly tickets = new Set<string>();
  private readonly tokens = new Set<string>();
  private readonly sessions = new Map<string, number>();
  private readonly injected = new Map<string, Injected[]>();
  private readonly robots = new Map<string, { secret?: string; sent: number[]; throttledUntil: number }>();
  private readonly now: () => number;
  private seq = 0;

  private constructor(
    private readonly server: Server,
    private readonly wss: WsServer,
    readonly origin: string,
    opts: FakeDingTalkOptions,
    private readonly tokenTtl: number,
  ) {
    this.clientId = opts.clientId ?? 'dingfakeclientid';
    this.clientSecret = opts.clientSecret ?? 'fake-client-secret-0123456789';
    this.robotCode = opts.robotCode ?? this.clientId;
    this.corpId = opts.corpId ?? 'dingfakecorp';
    this.now = opts.now ?? Date.now;
    for (const r of opts.customRobots ?? []) this.addCustomRobot(r.accessToken, r.secret);
    this.events.setMaxListeners(0);
  }

  static async start(opts: FakeDingTalkOptions = {}): Promise<FakeDingTalk> {
    const server = createServer();
    const wss = new WebSocketServer({ noServer: true });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeDingTalk(server, wss, `http://127.0.0.1:${port}`, opts, opts.tokenTtlSeconds ?? 7200);
    server.on('request', (req, res) => void fake.route(req, res));
    server.on('upgrade', (req, socket, head) => fake.upgrade(req, socket, head));
    return fake;
  }

  /** Base URL for `apiUrl` (OpenAPI and gateway) and `oapiUrl` (robots). */
  get url(): string {
    return this.origin;
  }

  /** Open sockets now. */
  get connected(): number {
    return [...this.sockets].filter((s) => s.readyState === OPEN).length;
  }

  addCustomRobot(accessToken: string, secret?: string): string {
    this.robots.set(accessToken, { ...(secret ? { secret } : {}), sent: [], throttledUntil: 0 });
    return `https://oapi.dingtalk.com/robot/send?access_token=${accessToken}`;
  }

  /** Makes every issued access token invalid (as after a secret reset). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** The next `times` calls to `path` get this answer instead. */
  failNext(path: string, answer: Injected, times = 1): void {
    const list = this.injected.get(path) ?? [];
    for (let i = 0; i < times; i++) list.push(answer);
    this.injected.set(path, list);
  }

  /** Resolves with the predicate's first truthy value, checked now and after every change. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5_000, what = 'condition'): Promise<T> {
    const first = predicate();
    if (first) return Promise.resolve(first);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('change', check);
        reject(new Error(`fake dingtalk: timed out waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        const v = predicate();
        if (!v) return;
        clearTimeout(timer);
        this.events.off('change', check);
        resolve(v);
      };
      this.events.on('change', check);
    });
  }

  /** Resolves when at least `n` sockets have been opened in total and one is open now. */
  waitForConnection(n = 1, timeoutMs = 10_000): Promise<void> {
    return this.waitFor(() => this.connectionsOpened >= n && this.connected > 0, timeoutMs, `connection #${n}`).then(() => undefined);
  }

  // -------------------------------------------------------------------------------------------
  // Stream frames

  /** A robot @-message in a group; resolves with the client's ack. */
  sendRobotMessage(opts: {
    conversationId: string;
    senderStaffId: string;
    text: string;
    isInAtList?: boolean;
    senderNick?: string;
    conversationType?: '1' | '2';
    messageId?: string;
  }): Promise<StreamAck> {
    const session = randomUUID();
    const now = Date.now();
    this.sessions.set(session, now + 90 * 60_000);
    const data = {
      conversationId: opts.conversationId,
      atUsers: [{ dingtalkId: `$:LWCP_v1:$${this.robotCode}` }],
      chatbotCorpId: this.corpId,
      chatbotUserId: `$:LWCP_v1:$${this.robotCode}`,
      msgId: `msg${++this.seq}`,
      senderNick: opts.senderNick ?? opts.senderStaffId,
      isAdmin: false,
      senderStaffId: opts.senderStaffId,
      sessionWebhookExpiredTime: now + 90 * 60_000,
      createAt: now,
      senderCorpId: this.corpId,
      conversationType: opts.conversationType ?? '2',
      senderId: `$:LWCP_v1:$${opts.senderStaffId}`,
      conversationTitle: 'fake group',
      isInAtList: opts.isInAtList ?? true,
      sessionWebhook: `${this.origin}/robot/sendBySession/${session}`,
      text: { content: opts.text },
      robotCode: this.robotCode,
      msgtype: 'text',
    };
    return this.deliver(TOPIC_ROBOT, data, opts.messageId);
  }

  /** A click on a card button whose callback params are `params`; resolves with the client's ack. */
  sendCardCallback(opts: {
    outTrackId: string;
    userId: string;
    params: Record<string, unknown>;
    actionId?: string;
    conversationId?: string;
    messageId?: string;
  }): Promise<StreamAck> {
    const content = JSON.stringify({ cardPrivateData: { actionIds: [opts.actionId ?? String(opts.params.action ?? 'button')], params: opts.params } });
    const data = {
      extension: '{}',
      corpId: this.corpId,
      userId: opts.userId,
      userIdType: 1,
      type: 'actionCallback',
      outTrackId: opts.outTrackId,
      spaceType: 'IM_GROUP',
      spaceId: opts.conversationId ?? this.cards.get(opts.outTrackId)?.conversationId ?? '',
      content,
      value: content,
    };
    return this.deliver(TOPIC_CARD, data, opts.messageId);
  }

  /** Sends a frame again with the same messageId, as DingTalk does when no ack came. */
  redeliver(messageId: string): Promise<StreamAck> {
    const frame = this.sent.get(messageId);
    if (!frame) return Promise.reject(new Error(`no frame ${messageId}`));
    return this.push({ ...frame, headers: { ...frame.headers, time: String(Date.now()) } });
  }

  /** A SYSTEM ping; the SDK echoes it back. */
  ping(): Promise<StreamAck> {
    return this.push(this.frame('SYSTEM', 'ping', { opaque: randomUUID() }));
  }

  /** Closes every socket (the client should reconnect). */
  dropConnections(): void {
    for (const s of this.sockets) s.terminate();
  }

  private deliver(topic: string, data: unknown, messageId?: string): Promise<StreamAck> {
    const frame = this.frame('CALLBACK', topic, data, messageId);
    this.sent.set(frame.headers.messageId, frame);
    return this.push(frame);
  }

  private frame(type: StreamFrame['type'], topic: string, data: unknown, messageId?: string): StreamFrame {
    return {
      specVersion: '1.0',
      type,
      headers: {
        appId: this.clientId,
        connectionId: 'fake-connection',
        contentType: 'application/json',
        messageId: messageId ?? `fake-${randomUUID()}`,
        time: String(Date.now()),
        topic,
      },
      data: JSON.stringify(data),
    };
  }

  /** Sends to the newest open socket (waiting for one) and resolves with the ack for it. */
  private async push(frame: StreamFrame, timeoutMs = 5_000): Promise<StreamAck> {
    const since = this.acks.length;
    const ack = this.waitFor(() => this.acks.slice(since).find((a) => a.headers?.messageId === frame.headers.messageId), timeoutMs, `ack of ${frame.headers.messageId}`);
    ack.catch(() => undefined); // the caller gets the socket error first when there is no socket
    const socket = await this.waitFor(() => [...this.sockets].reverse().find((s) => s.readyState === OPEN), timeoutMs, 'an open stream socket');
    socket.send(JSON.stringify(frame));
    return ack;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const u = new URL(req.url ?? '/', this.origin);
    const ticket = u.searchParams.get('ticket') ?? '';
    if (u.pathname !== '/connect' || !this.tickets.delete(ticket) || this.refuseSockets) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      this.socketsRefused += 1;
      this.changed();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      this.connectionsOpened += 1;
      ws.on('message', (raw) => {
        try {
          this.acks.push(JSON.parse(raw.toString('utf8')) as StreamAck);
        } catch {
          return; // not JSON: DingTalk ignores it too
        }
        this.changed();
      });
      ws.on('close', () => {
        this.sockets.delete(ws);
        this.changed();
      });
      ws.on('error', () => this.sockets.delete(ws));
      this.changed();
    });
  }

  // -------------------------------------------------------------------------------------------
  // HTTP

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', this.origin);
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = raw ? JSON.parse(raw) : {};
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      return send(res, 400, { code: 'InvalidJson', message: 'body is not JSON' });
    }
    const path = u.pathname;
    const key = `${req.method} ${path}`;

    if (req.method === 'POST' && path === '/robot/send') return this.customRobot(u, body, res);
    if (req.method === 'POST' && path.startsWith('/robot/sendBySession/')) return this.sessionReply(path.slice('/robot/sendBySession/'.length), body, res);
    if (req.method === 'POST' && path === '/v1.0/gateway/connections/open') return this.gateway(body, res);

    const token = header(req, 'x-acs-dingtalk-access-token');
    const record = (status: number, response: unknown, headers?: Record<string, string>): void => {
      this.calls.push({ method: req.method ?? '', path, token, body, status, response });
      send(res, status, response, headers);
      this.changed();
    };

    const injected = this.injected.get(path)?.shift();
    if (injected) return record(injected.status, injected.body, injected.headers);

    if (key === 'POST /v1.0/oauth2/accessToken') {
      if (body.appKey !== this.clientId || body.appSecret !== this.clientSecret) return record(400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或clientSecret' });
      const accessToken = `fake-token-${++this.tokensIssued}-${randomUUID().slice(0, 8)}`;
      this.tokens.add(accessToken);
      return record(200, { accessToken, expireIn: this.tokenTtl });
    }
    if (!token || !this.tokens.has(token)) return record(401, { code: 'InvalidAuthentication', message: '不合法的access_token', requestid: randomUUID() });

    switch (key) {
      case 'POST /v1.0/card/instances/createAndDeliver':
        return this.createAndDeliver(body, record);
      case 'PUT /v1.0/card/instances':
        return this.updateCard(body, record);
      case 'POST /v1.0/robot/oToMessages/batchSend': {
        if (body.robotCode !== this.robotCode) return record(400, { code: 'invalidParameter.robotCode', message: 'robot不存在' });
        const userIds = Array.isArray(body.userIds) ? body.userIds.map(String) : [];
        this.privateMessages.push({ robotCode: String(body.robotCode), userIds, msgKey: String(body.msgKey), msgParam: parseObject(body.msgParam) });
        return record(200, { processQueryKey: randomUUID(), invalidStaffIdList: [], flowControlledStaffIdList: [] });
      }
      case 'POST /v1.0/robot/groupMessages/send': {
        if (body.robotCode !== this.robotCode) return record(400, { code: 'invalidParameter.robotCode', message: 'robot不存在' });
        this.groupMessages.push({
          robotCode: String(body.robotCode),
          openConversationId: String(body.openConversationId),
          msgKey: String(body.msgKey),
          msgParam: parseObject(body.msgParam),
        });
        return record(200, { processQueryKey: randomUUID() });
      }
      default:
        return record(404, { code: 'NotFound', message: `${key} is not faked` });
    }
  }

  private gateway(body: Record<string, unknown>, res: ServerResponse): void {
    const ok = body.clientId === this.clientId && body.clientSecret === this.clientSecret;
    const status = this.gatewayDown ? 503 : ok ? 200 : 401;
    this.gatewayRequests.push({ clientId: String(body.clientId), subscriptions: body.subscriptions, status });
    if (status !== 200) {
      send(res, status, { code: status === 401 ? 'InvalidAuthentication' : 'ServiceUnavailable', message: 'gateway refused' });
    } else {
      const ticket = randomUUID();
      this.tickets.add(ticket);
      this.maxPendingTickets = Math.max(this.maxPendingTickets, this.tickets.size);
      send(res, 200, { endpoint: `${this.origin.replace(/^http/, 'ws')}/connect`, ticket });
    }
    this.changed();
  }

  private createAndDeliver(body: Record<string, unknown>, record: (status: number, response: unknown) => void): void {
    const outTrackId = body.outTrackId;
    const space = typeof body.openSpaceId === 'string' ? /^dtv1\.card\/\/IM_GROUP\.(.+)$/.exec(body.openSpaceId) : null;
    const deliver = body.imGroupOpenDeliverModel as { robotCode?: unknown } | undefined;
    const params = stringMap((body.cardData as { cardParamMap?: unknown } | undefined)?.cardParamMap);
    if (typeof outTrackId !== 'string' || !outTrackId) return record(400, { code: 'param.outTrackIdEmpty', message: 'outTrackId 为空' });
    if (typeof body.cardTemplateId !== 'string' || !body.cardTemplateId) return record(400, { code: 'param.cardTemplateIdEmpty', message: '卡片模版 Id 为空' });
    if (!space?.[1]) return record(400, { code: 'param.openSpaceIdInvalid', message: 'openSpaceId 不合法' });
    if (deliver?.robotCode !== this.robotCode) return record(400, { code: 'param.robotCodeInvalid', message: 'robotCode 不合法' });
    if (!params) return record(400, { code: 'param.cardParamMapInvalid', message: 'cardParamMap 的值必须是字符串' });
    if (this.cards.has(outTrackId)) return record(400, { code: 'param.outTrackIdDuplicated', message: 'outTrackId 重复' });
    this.cards.set(outTrackId, {
      outTrackId,
      cardTemplateId: body.cardTemplateId,
      conversationId: space[1],
      robotCode: this.robotCode,
      ...(typeof body.callbackType === 'string' ? { callbackType: body.callbackType } : {}),
      params,
      history: [params],
      updates: 0,
    });
    record(200, {
      success: true,
      result: { outTrackId, deliverResults: [{ spaceType: 'IM_GROUP', spaceId: space[1], success: true, carrierId: `carrier-${++this.seq}` }] },
    });
  }

  private updateCard(body: Record<string, unknown>, record: (status: number, response: unknown) => void): void {
    const card = typeof body.outTrackId === 'string' ? this.cards.get(body.outTrackId) : undefined;
    if (!card) return record(400, { code: 'param.cardNotExist', message: '卡片不存在' });
    const params = stringMap((body.cardData as { cardParamMap?: unknown } | undefined)?.cardParamMap);
    if (!params) return record(400, { code: 'param.cardParamMapInvalid', message: 'cardParamMap 的值必须是字符串' });
    const byKey = (body.cardUpdateOptions as { updateCardDataByKey?: unknown } | undefined)?.updateCardDataByKey === true;
    card.params = byKey ? { ...card.params, ...params } : params;
    card.history.push(card.params);
    card.updates += 1;
    record(200, { success: true, result: true });
  }

  private sessionReply(session: string, body: Record<string, unknown>, res: ServerResponse): void {
    const expires = this.sessions.get(session);
    if (!expires || expires < Date.now()) {
      send(res, 200, { errcode: 300001, errmsg: 'session 不存在或已过期' });
      return;
    }
    this.sessionReplies.push({ session, body });
    send(res, 200, { errcode: 0, errmsg: 'ok' });
    this.changed();
  }

  private customRobot(u: URL, body: Record<string, unknown>, res: ServerResponse): void {
    const accessToken = u.searchParams.get('access_token') ?? '';
    const robot = this.robots.get(accessToken);
    const refuse = (errcode: number, errmsg: string): void => {
      this.robotRefusals.push({ accessToken, errcode, errmsg });
      send(res, 200, { errcode, errmsg });
      this.changed();
    };
    if (!robot) return refuse(300001, 'token is not exist');
    const now = this.now();
    if (robot.secret) {
      const timestamp = u.searchParams.get('timestamp') ?? '';
      const sign = u.searchParams.get('sign') ?? '';
      const ts = Number(timestamp);
      if (!Number.isFinite(ts) || Math.abs(now - ts) > 3_600_000) return refuse(310000, 'invalid timestamp');
      const expected = createHmac('sha256', robot.secret).update(`${timestamp}\n${robot.secret}`).digest('base64');
      const a = Buffer.from(sign);
      const b = Buffer.from(expected);
      if (a.length !== b.length || !timingSafeEqual(a, b)) return refuse(310000, 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]');
    }
    const type = body.msgtype;
    const valid =
      (type === 'text' && typeof (body.text as { content?: unknown } | undefined)?.content === 'string') ||
      (type === 'markdown' && typeof (body.markdown as { title?: unknown } | undefined)?.title === 'string' && typeof (body.markdown as { text?: unknown }).text === 'string') ||
      type === 'actionCard' ||
      type === 'link' ||
      type === 'feedCard';
    if (!valid) return refuse(40035, '缺少参数 json');
    if (robot.throttledUntil > now) return refuse(130101, 'send too fast, exceed 20 times per minute');
    robot.sent = robot.sent.filter((t) => t > now - ROBOT_WINDOW_MS);
    if (robot.sent.length >= ROBOT_LIMIT) {
      robot.throttledUntil = now + ROBOT_THROTTLE_MS;
      return refuse(130101, 'send too fast, exceed 20 times per minute');
    }
    robot.sent.push(now);
    this.robotMessages.push({ accessToken, body, at: now });
    send(res, 200, { errcode: 0, errmsg: 'ok' });
    this.changed();
  }

  private changed(): void {
    this.events.emit('change');
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
    await new Promise<void>((ok) => this.wss.close(() => ok()));
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

/** DingTalk card params are string → string; anything else is refused. */
function stringMap(v: unknown): Record<string, string> | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') return null;
    out[k] = val;
  }
  return out;
}

function parseObject(v: unknown): Record<string, unknown> {
  try {
    const parsed: unknown = typeof v === 'string' ? JSON.parse(v) : v;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
