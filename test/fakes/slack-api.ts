import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Slack Web API on 127.0.0.1, speaking the real protocol closely enough for the official
 * SDK (@slack/web-api inside Bolt): `POST /api/<method>` with a form-encoded (or JSON) body and
 * `Authorization: Bearer xoxb-…`, HTTP 200 with `{ok:…}` JSON, and HTTP 429 with `Retry-After`
 * for rate limits. It records every call and keeps each channel's messages as they are now.
 *
 * Also serves `POST /response/<id>` as a `response_url` (recorded as method `response_url`), and
 * `apps.connections.open` answers with `socketUrl` when a test sets one (see slack-socket.ts).
 */

export interface SlackCall {
  method: string;
  /** Parsed arguments: form fields, with `blocks`, `attachments`, `view`… decoded from JSON. */
  args: Record<string, unknown>;
  /** Bearer token (or the `token` argument) the call came with. */
  token: string | undefined;
  contentType: string;
  /** Epoch ms when the call arrived. */
  at: number;
  /** HTTP status we answered with, and the JSON body. */
  status: number;
  response: Record<string, unknown>;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  /** Message metadata given to chat.postMessage (`event_type`, `event_payload`). */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** How many times chat.update replaced it. */
  edits: number;
  postedAt: number;
  updatedAt?: number;
}

export interface FakeSlackFile {
  id: string;
  filename: string;
  length: number;
  /** The bytes posted to the upload URL (the multipart body as received). */
  uploaded?: Buffer;
  title?: string;
  /** Set by files.completeUploadExternal. */
  channel?: string;
  initialComment?: string;
}

export interface FakeSlackOptions {
  teamId?: string;
  botUserId?: string;
  botId?: string;
  /** When set, only these tokens are accepted (others get `invalid_auth`). */
  tokens?: string[];
}

/** Arguments Slack's clients send as JSON strings inside a form body. */
const JSON_ARGS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls', 'user_auth_blocks']);

export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  /** channel id → messages in posting order, each in its current state (updates replace it). */
  readonly messages = new Map<string, FakeSlackMessage[]>();
  /** Files uploaded through files.getUploadURLExternal → upload URL → files.completeUploadExternal. */
  readonly files = new Map<string, FakeSlackFile>();
  /** For Socket Mode tests: what `apps.connections.open` hands out. */
  socketUrl: string | undefined;

  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;

  private readonly events = new EventEmitter();
  private readonly rateLimits = new Map<string, { times: number; retryAfter: number }>();
  private readonly failures = new Map<string, string[]>();
  private readonly stalls = new Map<string, number>();
  private seq = 0;
  private viewSeq = 0;
  private responseSeq = 0;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    private readonly opts: FakeSlackOptions,
  ) {
    this.teamId = opts.teamId ?? 'T0DUTYBOT';
    this.botUserId = opts.botUserId ?? 'U0DUTYBOT';
    this.botId = opts.botId ?? 'B0DUTYBOT';
    this.events.setMaxListeners(100);
  }

  static async start(opts: FakeSlackOptions = {}): Promise<FakeSlackApi> {
    let fake: FakeSlackApi | undefined;
    const server = createServer((req, res) => {
      if (!fake) return void res.writeHead(503).end();
      fake.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    const { port } = server.address() as AddressInfo;
    fake = new FakeSlackApi(server, `http://127.0.0.1:${port}`, opts);
    return fake;
  }

  /** The Web API base URL to give the SDK (`slackApiUrl`), with the trailing slash. */
  get apiUrl(): string {
    return `${this.origin}/api/`;
  }

  /** A fresh `response_url` on this server for interactive payloads and slash commands. */
  responseUrl(): string {
    this.responseSeq += 1;
    return `${this.origin}/response/R${this.responseSeq}`;
  }

  /** The next `times` calls of `method` get HTTP 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit(method: string, times: number, retryAfterSeconds: number): void {
    this.rateLimits.set(method, { times, retryAfter: retryAfterSeconds });
  }

  /** The next call of `method` answers `{ok:false, error}` (queue several by calling again). */
  failNext(method: string, error: string): void {
    const q = this.failures.get(method) ?? [];
    q.push(error);
    this.failures.set(method, q);
  }

  /**
   * Slack is down (fault tests): `http500` answers every Web API call with HTTP 500, `hang` never
   * answers (the client times out). Nothing is done or recorded as a message meanwhile.
   */
  outage: 'http500' | 'hang' | undefined;

  /** The next call of `method` is answered only after `ms` (for client-timeout tests). */
  stallNext(method: string, ms: number): void {
    this.stalls.set(method, ms);
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** A message as it is now (after updates). */
  message(channel: string, ts: string): FakeSlackMessage | undefined {
    return this.messages.get(channel)?.find((m) => m.ts === ts);
  }

  /**
   * Resolves with the first recorded call (past or future) matching `predicate`; rejects after
   * `timeoutMs` with the list of calls seen, which is what one wants to read when a test fails.
   */
  waitFor(predicate: (call: SlackCall) => boolean, timeoutMs = 5_000): Promise<SlackCall> {
    const past = this.calls.find(predicate);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const onCall = (call: SlackCall): void => {
        if (!predicate(call)) return;
        cleanup();
        resolve(call);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching Slack call within ${timeoutMs} ms; seen: ${this.calls.map((c) => c.method).join(', ') || 'none'}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('call', onCall);
      };
      this.events.on('call', onCall);
    });
  }

  /** Forget recorded calls and messages (the counters keep running, so ts stay unique). */
  reset(): void {
    this.calls.length = 0;
    this.messages.clear();
    this.rateLimits.clear();
    this.failures.clear();
    this.stalls.clear();
  }

  async close(): Promise<void> {
    await new Promise<void>((ok) => this.server.close(() => ok()));
    this.server.closeAllConnections();
  }

  // -------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const rawBytes = await readBytes(req);
    const raw = rawBytes.toString('utf8');
    const contentType = String(req.headers['content-type'] ?? '');
    if (req.method !== 'POST') return void res.writeHead(405).end();

    const uploadMatch = /^\/upload\/(F\w+)$/.exec(url.pathname);
    if (uploadMatch) {
      const file = this.files.get(uploadMatch[1]!);
      if (!file) return void res.writeHead(404).end();
      file.uploaded = rawBytes;
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(`OK - ${rawBytes.length}`);
    }

    const responseMatch = /^\/response\/([\w-]+)$/.exec(url.pathname);
    if (responseMatch) {
      let args: Record<string, unknown> = {};
      try {
        args = { ...(JSON.parse(raw) as Record<string, unknown>), response_url_id: responseMatch[1] };
      } catch {
        args = { raw, response_url_id: responseMatch[1] };
      }
      return this.answer(res, { method: 'response_url', args, token: undefined, contentType }, 200, { ok: true });
    }

    const apiMatch = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (!apiMatch?.[1]) return void res.writeHead(404).end();
    const method = apiMatch[1];
    const args = parseArgs(raw, contentType);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : undefined;
    const call = { method, args, token, contentType };

    if (this.outage === 'http500') return this.answer(res, call, 500, { ok: false, error: 'internal_error' });
    if (this.outage === 'hang') return;

    const stall = this.stalls.get(method);
    if (stall !== undefined) {
      this.stalls.delete(method);
      await new Promise((ok) => setTimeout(ok, stall));
    }

    const limit = this.rateLimits.get(method);
    if (limit && limit.times > 0) {
      limit.times -= 1;
      if (limit.times === 0) this.rateLimits.delete(method);
      return this.answer(res, call, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfter) });
    }
    const failure = this.failures.get(method)?.shift();
    if (failure !== undefined) return this.answer(res, call, 200, { ok: false, error: failure });

    if (!token) return this.answer(res, call, 200, { ok: false, error: 'not_authed' });
    if (this.opts.tokens && !this.opts.tokens.includes(token)) return this.answer(res, call, 200, { ok: false, error: 'invalid_auth' });

    return this.answer(res, call, 200, this.api(method, args));
  }

  private api(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const str = (k: string): string | undefined => (typeof args[k] === 'string' && args[k] !== '' ? (args[k] as string) : undefined);
    switch (method) {
      case 'api.test':
        return { ok: true, args };
      case 'auth.test':
        return {
          ok: true,
          url: 'https://dutybot-test.slack.com/',
          team: 'dutybot-test',
          user: 'dutybot',
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        const channel = str('channel');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!str('text') && !Array.isArray(args.blocks) && !Array.isArray(args.attachments)) return { ok: false, error: 'no_text' };
        if ((str('text')?.length ?? 0) > 40_000) return { ok: false, error: 'msg_too_long' };
        const msg: FakeSlackMessage = { channel, ts: this.nextTs(), edits: 0, postedAt: Date.now() };
        copyContent(msg, args);
        const thread = str('thread_ts');
        if (thread) msg.thread_ts = thread;
        const meta = args.metadata as FakeSlackMessage['metadata'] | undefined;
        if (meta && typeof meta === 'object') {
          if (typeof meta.event_type !== 'string' || typeof meta.event_payload !== 'object' || meta.event_payload === null) return { ok: false, error: 'invalid_metadata_format' };
          msg.metadata = { event_type: meta.event_type, event_payload: meta.event_payload };
        }
        const list = this.messages.get(channel) ?? [];
        list.push(msg);
        this.messages.set(channel, list);
        return { ok: true, channel, ts: msg.ts, message: { type: 'message', bot_id: this.botId, user: this.botUserId, ...content(msg) } };
      }
      case 'chat.update': {
        const channel = str('channel');
        const ts = str('ts');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const msg = ts ? this.message(channel, ts) : undefined;
        if (!msg) return { ok: false, error: 'message_not_found' };
        copyContent(msg, args);
        msg.edits += 1;
        msg.updatedAt = Date.now();
        return { ok: true, channel, ts: msg.ts, text: msg.text ?? '', message: { type: 'message', bot_id: this.botId, ...content(msg) } };
      }
      case 'conversations.history': {
        // Newest first, `limit` per page (Slack: default 100, at most 999), `cursor` to go on;
        // metadata only with `include_all_metadata`. Replies in threads are not listed, as on Slack.
        const channel = str('channel');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const limit = Math.min(999, Math.max(1, Number(args.limit ?? 100) || 100));
        const from = Number(str('cursor')?.replace(/^c/, '') ?? 0) || 0;
        const withMeta = args.include_all_metadata === true || args.include_all_metadata === 'true';
        const all = (this.messages.get(channel) ?? []).filter((m) => !m.thread_ts || m.thread_ts === m.ts).slice().reverse();
        const page = all.slice(from, from + limit);
        const more = from + limit < all.length;
        return {
          ok: true,
          messages: page.map((m) => ({ type: 'message', user: this.botUserId, bot_id: this.botId, ...content(m), ...(withMeta && m.metadata ? { metadata: m.metadata } : {}) })),
          has_more: more,
          pin_count: 0,
          response_metadata: { next_cursor: more ? `c${from + limit}` : '' },
        };
      }
      case 'chat.postEphemeral': {
        if (!str('channel')) return { ok: false, error: 'channel_not_found' };
        if (!str('user')) return { ok: false, error: 'user_not_in_channel' };
        if (!str('text') && !Array.isArray(args.blocks)) return { ok: false, error: 'no_text' };
        return { ok: true, message_ts: this.nextTs() };
      }
      case 'chat.delete': {
        const channel = str('channel');
        const ts = str('ts');
        const list = channel ? this.messages.get(channel) : undefined;
        const i = list?.findIndex((m) => m.ts === ts) ?? -1;
        if (!list || i < 0) return { ok: false, error: 'message_not_found' };
        list.splice(i, 1);
        return { ok: true, channel, ts };
      }
      case 'views.open': {
        if (!str('trigger_id')) return { ok: false, error: 'invalid_arguments' };
        if (typeof args.view !== 'object' || args.view === null) return { ok: false, error: 'invalid_arguments' };
        this.viewSeq += 1;
        return { ok: true, view: { id: `V${String(this.viewSeq).padStart(8, '0')}`, team_id: this.teamId, ...(args.view as object) } };
      }
      case 'users.info': {
        const user = str('user');
        if (!user) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { id: user, team_id: this.teamId, name: user.toLowerCase(), real_name: user, profile: { display_name: user } } };
      }
      case 'files.getUploadURLExternal': {
        const filename = str('filename');
        const length = Number(args.length);
        if (!filename || !Number.isInteger(length) || length <= 0) return { ok: false, error: 'invalid_arguments' };
        const id = `F${String(this.files.size + 1).padStart(8, '0')}`;
        this.files.set(id, { id, filename, length });
        return { ok: true, upload_url: `${this.origin}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = typeof args.files === 'string' ? (JSON.parse(args.files) as Array<{ id: string; title?: string }>) : (args.files as Array<{ id: string; title?: string }>);
        if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
        for (const f of list) {
          const file = this.files.get(f.id);
          if (!file?.uploaded) return { ok: false, error: 'file_not_found' };
          file.title = f.title;
          const channel = str('channel_id');
          if (channel) file.channel = channel;
          const comment = str('initial_comment');
          if (comment) file.initialComment = comment;
        }
        return { ok: true, files: list.map((f) => ({ id: f.id, title: f.title })) };
      }
      case 'apps.connections.open':
        return this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: 'socket_mode_not_available' };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** `1700000000.000100`, `1700000000.000200`, … unique and increasing like Slack's ts. */
  private nextTs(): string {
    this.seq += 1;
    const micros = this.seq * 100;
    return `${1_700_000_000 + Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  private answer(
    res: ServerResponse,
    call: Omit<SlackCall, 'at' | 'status' | 'response'>,
    status: number,
    response: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): void {
    const recorded: SlackCall = { ...call, at: Date.now(), status, response };
    this.calls.push(recorded);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(response));
    this.events.emit('call', recorded);
  }
}

function copyContent(msg: FakeSlackMessage, args: Record<string, unknown>): void {
  // chat.update replaces what it is given; Slack keeps blocks/attachments that are not sent.
  if (typeof args.text === 'string') msg.text = args.text;
  if (Array.isArray(args.blocks)) msg.blocks = args.blocks;
  if (Array.isArray(args.attachments)) msg.attachments = args.attachments;
}

function content(msg: FakeSlackMessage): Record<string, unknown> {
  return { ts: msg.ts, text: msg.text ?? '', blocks: msg.blocks, attachments: msg.attachments };
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.startsWith('application/json')) {
    try {
      const v = JSON.parse(raw) as unknown;
      return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (JSON_ARGS.has(k)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // keep the raw string: Slack would answer invalid_blocks, tests can see what was sent
      }
    }
    out[k] = v;
  }
  return out;
}

async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
