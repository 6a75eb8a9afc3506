import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake WeCom (企业微信) group robot on 127.0.0.1, speaking the webhook protocol:
 * `POST /cgi-bin/webhook/send?key=<key>` with a JSON body `{msgtype, text|markdown: {content}}`,
 * answered with HTTP 200 and `{errcode, errmsg}` like the real one:
 *
 * - unknown key (when `keys` is given) → 93000 invalid webhook url
 * - msgtype other than text/markdown/image → 40008 invalid message type (image: base64 + md5 checked)
 * - text over 2048 bytes, markdown over 4096 bytes (UTF-8) → 40058 content exceed max length
 * - more than `perMinute` (20) accepted messages in a rolling minute for one key → 45009
 *
 * Time comes from `now` (injectable) so a test can move the minute on without waiting.
 */

export interface RobotMessage {
  key: string;
  msgtype: string;
  content: string;
  /** UTF-8 bytes of `content`. */
  bytes: number;
  /** `now()` when it arrived. */
  at: number;
  /** What the fake answered. */
  errcode: number;
  errmsg: string;
  body: Record<string, unknown>;
}

export interface FakeWeComRobotOptions {
  /** Accepted keys; any key when absent. */
  keys?: string[];
  perMinute?: number;
  now?: () => number;
}

const LIMITS: Record<string, number> = { text: 2048, markdown: 4096 };

export class FakeWeComRobot {
  /** Every request that reached the send endpoint, in order, with the answer given. */
  readonly requests: RobotMessage[] = [];
  private readonly events = new EventEmitter();
  private readonly accepted = new Map<string, number[]>();
  private readonly failures: Array<{ errcode: number; errmsg: string }> = [];
  now: () => number;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    private readonly opts: FakeWeComRobotOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.events.setMaxListeners(100);
  }

  static async start(opts: FakeWeComRobotOptions = {}): Promise<FakeWeComRobot> {
    let fake: FakeWeComRobot | undefined;
    const server = createServer((req, res) => {
      if (!fake) return void res.writeHead(503).end();
      fake.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    const { port } = server.address() as AddressInfo;
    fake = new FakeWeComRobot(server, `http://127.0.0.1:${port}`, opts);
    return fake;
  }

  /** A webhook URL for `key` as WeCom hands it out (on the real host: the adapter's apiUrl redirects it here). */
  static webhookUrl(key: string, origin = 'https://qyapi.weixin.qq.com'): string {
    return `${origin}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`;
  }

  /** Messages the robot accepted (errcode 0), optionally for one key. */
  messages(key?: string): RobotMessage[] {
    return this.requests.filter((m) => m.errcode === 0 && (key === undefined || m.key === key));
  }

  /** The next request answers this error (queue several by calling again). */
  failNext(errcode: number, errmsg = 'injected failure'): void {
    this.failures.push({ errcode, errmsg });
  }

  /**
   * Resolves with the first request (past or future) matching `predicate`; rejects after
   * `timeoutMs` listing what arrived.
   */
  waitFor(predicate: (m: RobotMessage) => boolean, timeoutMs = 5_000): Promise<RobotMessage> {
    const past = this.requests.find(predicate);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const onMessage = (m: RobotMessage): void => {
        if (!predicate(m)) return;
        cleanup();
        resolve(m);
      };
      const timer = setTimeout(() => {
        cleanup();
        const seen = this.requests.map((m) => `${m.msgtype}:${m.errcode}`).join(', ') || 'none';
        reject(new Error(`no matching WeCom robot request within ${timeoutMs} ms; seen: ${seen}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('request', onMessage);
      };
      this.events.on('request', onMessage);
    });
  }

  reset(): void {
    this.requests.length = 0;
    this.accepted.clear();
    this.failures.length = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((ok) => {
      this.server.close(() => ok());
      this.server.closeAllConnections();
    });
  }

  // -------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const raw = await readBody(req);
    if (url.pathname !== '/cgi-bin/webhook/send') return void res.writeHead(404).end();
    if (req.method !== 'POST') return void res.writeHead(405).end();

    const key = url.searchParams.get('key') ?? '';
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      return this.answer(res, { key, msgtype: '', content: '', body }, 40001, 'invalid json');
    }
    const msgtype = typeof body.msgtype === 'string' ? body.msgtype : '';
    const part = body[msgtype] as { content?: unknown } | undefined;
    const content = typeof part?.content === 'string' ? part.content : '';
    const msg = { key, msgtype, content, body };

    if (!key || (this.opts.keys && !this.opts.keys.includes(key))) return this.answer(res, msg, 93000, 'invalid webhook url');
    const injected = this.failures.shift();
    if (injected) return this.answer(res, msg, injected.errcode, injected.errmsg);
    if (msgtype === 'image') {
      // base64 of the picture and the MD5 of its bytes; WeCom refuses a mismatch (40009 / 301019).
      const image = body.image as { base64?: unknown; md5?: unknown } | undefined;
      const bytes = typeof image?.base64 === 'string' ? Buffer.from(image.base64, 'base64') : Buffer.alloc(0);
      if (bytes.length === 0 || bytes.length > 2 * 1024 * 1024) return this.answer(res, msg, 40009, 'invalid image size');
      if (createHash('md5').update(bytes).digest('hex') !== image?.md5) return this.answer(res, msg, 301019, 'md5 not match');
      return this.answer(res, msg, 0, 'ok');
    }
    const limit = LIMITS[msgtype];
    if (limit === undefined) return this.answer(res, msg, 40008, 'invalid message type');
    if (!content) return this.answer(res, msg, 44004, 'empty content');
    const bytes = Buffer.byteLength(content, 'utf8');
    if (bytes > limit) return this.answer(res, msg, 40058, `content exceed max length ${limit}`);

    // 20 messages in any rolling minute per robot; refused requests do not count.
    const now = this.now();
    const times = (this.accepted.get(key) ?? []).filter((t) => now - t < 60_000);
    if (times.length >= (this.opts.perMinute ?? 20)) {
      this.accepted.set(key, times);
      return this.answer(res, msg, 45009, 'api freq out of limit');
    }
    times.push(now);
    this.accepted.set(key, times);
    return this.answer(res, msg, 0, 'ok');
  }

  private answer(
    res: ServerResponse,
    msg: { key: string; msgtype: string; content: string; body: Record<string, unknown> },
    errcode: number,
    errmsg: string,
  ): void {
    const recorded: RobotMessage = { ...msg, bytes: Buffer.byteLength(msg.content, 'utf8'), at: this.now(), errcode, errmsg };
    this.requests.push(recorded);
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify({ errcode, errmsg }));
    this.events.emit('request', recorded);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
