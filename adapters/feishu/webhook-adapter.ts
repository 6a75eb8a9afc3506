import { createHmac, randomUUID } from 'node:crypto';
import type { Card } from '../../src/bot/card.js';
import type {
  AdapterCapabilities,
  AdapterStatus,
  BotReply,
  ChatAdapter,
  InboundHandler,
  MessageRef,
  ReplyTarget,
  SendResult,
} from '../../src/bot/chat-adapter.js';
import type { RatePolicy } from '../../src/bot/rate-policy.js';
import type { Logger } from '../../src/log.js';
import { bytes, robotCard, textContent } from './render.js';

/**
 * A Feishu custom bot (群设置 → 群机器人 → 添加机器人 → 自定义机器人): outbound only. It posts
 * cards without callback buttons, cannot edit, and nothing comes back; the core sends state
 * changes and grown summaries as new messages (src/bot/no-edit-delivery.ts), as for the DingTalk
 * and WeCom robots. The channel id is the bot's webhook URL; its signing secret (签名校验) comes
 * from the channel's config.
 */

export interface FeishuWebhookAdapterOptions {
  log: Logger;
  /** Secrets by channel id (webhook URL), for bots with 签名校验 on. */
  secrets?: ReadonlyMap<string, string>;
  /** Replaces the webhook URLs' origin (`https://open.feishu.cn`): Lark, a proxy, a test fake. */
  baseUrl?: string;
  /** Epoch ms: the signature's timestamp (Feishu takes seconds, within an hour of its clock). */
  now?: () => number;
  /** The note under the command hint; by default it says this bot cannot take replies. */
  actHint?: string;
  requestTimeoutMs?: number;
}

/** Feishu takes a request body of at most 20 KB; we leave room for the envelope. */
export const MAX_BODY_BYTES = 20 * 1024;
/** Feishu's answer when a bot sends more than its limit (100 a minute, 5 a second). */
const THROTTLED_CODES = new Set([11232]);
const SIGN_CODES = new Set([19021, 19022, 19024]);

/** Feishu's signature: base64 HMAC-SHA256 keyed by `timestamp + "\n" + secret`, of nothing. */
export function sign(timestampSeconds: string, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** A webhook URL for logs: its last path segment is a credential. */
export function maskHook(url: string): string {
  try {
    const u = new URL(url);
    const parts = u.pathname.split('/');
    const token = parts.pop() ?? '';
    return `${u.origin}${parts.join('/')}/…${token.slice(-4)}`;
  } catch {
    return '[bad url]';
  }
}

export class FeishuWebhookAdapter implements ChatAdapter {
  readonly platform = 'feishu-webhook' as const;
  readonly capabilities: AdapterCapabilities = { edit: false, buttons: false, receive: false };
  /** Feishu's documented limit is 100 a minute and 5 a second per bot; we keep just inside both. */
  readonly ratePolicy: RatePolicy = { count: 95, perMs: 60_000, foldAfter: 10, burst: { count: 4, perMs: 1000 } };

  private readonly log: Logger;
  private readonly now: () => number;
  private readonly problems = new Map<string, string>();
  private started = false;

  constructor(private readonly opts: FeishuWebhookAdapterOptions) {
    this.log = opts.log.child({ platform: 'feishu-webhook' });
    this.now = opts.now ?? Date.now;
  }

  /** FEISHU_WEBHOOK_BASE_URL replaces the bots' origin; secrets come from the teams' channels. */
  static fromEnv(env: NodeJS.ProcessEnv, log: Logger, secrets: ReadonlyMap<string, string>): FeishuWebhookAdapter {
    const baseUrl = env.FEISHU_WEBHOOK_BASE_URL?.trim() || undefined;
    return new FeishuWebhookAdapter({ log, secrets, ...(baseUrl ? { baseUrl } : {}) });
  }

  status(): AdapterStatus {
    if (!this.started) return { state: 'off' };
    const first = this.problems.entries().next();
    return first.done ? { state: 'ready' } : { state: 'degraded', detail: `${first.value[1]} (${maskHook(first.value[0])})` };
  }

  async start(_handler: InboundHandler): Promise<void> {
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  async post(channel: string, card: Card): Promise<SendResult<MessageRef>> {
    // A one-line follow-up (`#12 已认领 · 张三`) is a text message that @-mentions the new owner.
    const oneLine = card.kind === 'summary' && card.lines.length === 0;
    const body = oneLine
      ? { msg_type: 'text', content: JSON.parse(textContent(card.heading, card.mentions ?? [])) as object }
      : { msg_type: 'interactive', card: robotCard(card, MAX_BODY_BYTES - 512, this.opts.actHint) };
    const sent = await this.send(channel, body);
    if (sent.kind !== 'sent') return sent;
    // The bot's answer has no message id: ours only records that it went out.
    return { kind: 'sent', value: { platform: 'feishu-webhook', channel, messageId: `fsw-${randomUUID()}` } };
  }

  async update(_ref: MessageRef, _card: Card): Promise<SendResult<void>> {
    return { kind: 'unsupported', error: 'a Feishu custom bot cannot edit a message' };
  }

  /** Nothing reaches this bot, so nothing is answered privately; public text goes to the group. */
  async reply(to: ReplyTarget, reply: BotReply): Promise<SendResult<void>> {
    if (reply.private) return { kind: 'failed', error: 'a custom bot cannot answer privately' };
    return this.send(to.channel, { msg_type: 'text', content: JSON.parse(textContent(reply.text)) as object });
  }

  private async send(channel: string, message: object): Promise<SendResult<void>> {
    let url: string;
    try {
      url = this.hookUrl(channel);
    } catch (err) {
      return { kind: 'failed', error: (err as Error).message };
    }
    const secret = this.opts.secrets?.get(channel);
    const timestamp = String(Math.floor(this.now() / 1000));
    const body = { ...(secret ? { timestamp, sign: sign(timestamp, secret) } : {}), ...message };
    if (bytes(body) > MAX_BODY_BYTES) return { kind: 'failed', error: `message of ${bytes(body)} bytes is over Feishu's 20 KB` };
    const sent = await this.postJson(url, body);
    if (sent.kind === 'sent') this.problems.delete(channel);
    else {
      if (sent.kind === 'failed') this.problems.set(channel, `Feishu refused the bot message (${sent.error})`);
      this.log.warn({ robot: maskHook(channel), result: sent.kind, error: sent.error }, 'feishu custom bot did not take the message');
    }
    return sent;
  }

  private async postJson(url: string, body: object): Promise<SendResult<void>> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 15_000),
      });
    } catch (err) {
      return { kind: 'retry', afterMs: 5_000, error: (err as Error).name === 'TimeoutError' ? 'timeout' : 'network error' };
    }
    if (res.status === 429) return { kind: 'retry', afterMs: 60_000, error: 'HTTP 429' };
    if (res.status >= 500) return { kind: 'retry', afterMs: 5_000, error: `HTTP ${res.status}` };
    const answer = (await res.json().catch(() => ({}))) as { code?: number; msg?: string; StatusCode?: number };
    const code = answer.code ?? answer.StatusCode ?? (res.ok ? 0 : res.status);
    if (code === 0) return { kind: 'sent', value: undefined };
    const error = `${code} ${answer.msg ?? ''}`.trim();
    if (THROTTLED_CODES.has(code)) return { kind: 'retry', afterMs: 60_000, error };
    if (SIGN_CODES.has(code)) return { kind: 'failed', error: `${error} (bad signature, or our clock is more than an hour off)` };
    return { kind: 'failed', error };
  }

  private hookUrl(channel: string): string {
    let u: URL;
    try {
      u = new URL(channel);
    } catch {
      throw new Error('feishu-webhook channel is not a URL');
    }
    if (!/\/open-apis\/bot\/v2\/hook\/[^/]+$/.test(u.pathname)) throw new Error('feishu-webhook URL is not a bot webhook (…/open-apis/bot/v2/hook/<token>)');
    if (this.opts.baseUrl) {
      const base = new URL(this.opts.baseUrl);
      u = new URL(`${base.pathname.replace(/\/+$/, '')}${u.pathname}`, base.origin);
    }
    return u.toString();
  }
}
