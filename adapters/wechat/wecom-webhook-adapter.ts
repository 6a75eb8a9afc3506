import { createHash, randomUUID } from 'node:crypto';
import type { Card } from '../../src/bot/card.js';
import type {
  AdapterCapabilities,
  AdapterStatus,
  BotReply,
  ChatAdapter,
  ImageMessage,
  InboundHandler,
  MessageRef,
  ReplyTarget,
  SendResult,
} from '../../src/bot/chat-adapter.js';
import type { Logger } from '../../src/log.js';
import { mentionMobiles } from '../../src/bot/mentions.js';
import { renderWeComMarkdown, truncateUtf8, utf8Bytes, WECOM_MARKDOWN_MAX_BYTES } from './render.js';

export interface WeComWebhookAdapterOptions {
  /**
   * Origin (and optional path prefix) every webhook is sent to, whatever host the configured URL
   * names: `https://qyapi.weixin.qq.com` by default; tests and proxies point it elsewhere.
   */
  apiUrl?: string;
  log: Logger;
  /** Milliseconds before a send is abandoned (and retried by the outbox). */
  requestTimeoutMs?: number;
}

export const WECOM_API_URL = 'https://qyapi.weixin.qq.com';
const WEBHOOK_PATH = '/cgi-bin/webhook/send';

/** WeCom robot error codes we act on. */
export const WECOM_ERR = {
  ok: 0,
  systemBusy: -1,
  /** More than 20 messages in a minute for this robot. */
  rateLimited: 45009,
  /** The webhook key is wrong, or the robot was removed from the group. */
  invalidWebhook: 93000,
} as const;

const RATE_RETRY_MS = 60_000;
const NETWORK_RETRY_MS = 5_000;

/**
 * A WeCom (企业微信) group robot: `POST /cgi-bin/webhook/send?key=…` with a markdown message.
 * Outbound only: a robot receives nothing, so there are no commands here and no `reply`; cards
 * are markdown. It cannot edit: the core posts changes as new messages (follow-up lines, which
 * go out as text when they @-mention someone by mobile, since WeCom markdown cannot mention).
 *
 * The channel id is the robot's webhook URL (or its bare key). It carries the robot's key, so it
 * is never logged whole.
 */
export class WeComWebhookAdapter implements ChatAdapter {
  readonly platform = 'wecom-webhook' as const;
  readonly capabilities: AdapterCapabilities = { edit: false, buttons: false, receive: false };

  private readonly log: Logger;
  private readonly api: URL;
  private state: AdapterStatus = { state: 'off' };

  constructor(private readonly opts: WeComWebhookAdapterOptions) {
    this.log = opts.log.child({ platform: 'wecom-webhook' });
    this.api = new URL(opts.apiUrl?.trim() || WECOM_API_URL);
    if (this.api.protocol !== 'https:' && this.api.protocol !== 'http:') throw new Error('WECOM_API_URL must be an http(s) URL');
  }

  /** Needs no credentials (each channel carries its robot's key): always on; WECOM_API_URL overrides the host. */
  static fromEnv(env: NodeJS.ProcessEnv, log: Logger): WeComWebhookAdapter {
    const apiUrl = env.WECOM_API_URL?.trim() || undefined;
    return new WeComWebhookAdapter({ log, ...(apiUrl ? { apiUrl } : {}) });
  }

  status(): AdapterStatus {
    return { ...this.state };
  }

  async start(_handler: InboundHandler): Promise<void> {
    this.state = { state: 'ready' };
  }

  async stop(): Promise<void> {
    this.state = { state: 'off' };
  }

  async post(channel: string, card: Card): Promise<SendResult<MessageRef>> {
    const mobiles = card.kind === 'summary' ? mentionMobiles(card) : [];
    const sent = mobiles.length ? await this.send(channel, truncateUtf8(card.text, 2000), mobiles) : await this.send(channel, renderWeComMarkdown(card));
    if (sent.kind !== 'sent') return sent;
    // The robot answers without a message id; ours is only a record that it went out.
    const messageId = `wecom-${randomUUID()}`;
    return { kind: 'sent', value: { platform: 'wecom-webhook', channel, messageId } };
  }

  /** A group robot cannot edit what it posted (the core knows, from `capabilities`). */
  async update(_ref: MessageRef, _card: Card): Promise<SendResult<void>> {
    return { kind: 'unsupported', error: 'a WeCom group robot cannot edit a message' };
  }

  async reply(_to: ReplyTarget, _reply: BotReply): Promise<SendResult<void>> {
    return { kind: 'failed', error: 'a WeCom group robot receives no requests, so it has nothing to answer' };
  }

  /** The URL to post to: the configured webhook's path and key on our API origin; null when malformed. */
  webhookUrl(channel: string): URL | null {
    const raw = channel.trim();
    let key: string | null;
    if (/^https?:\/\//i.test(raw)) {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        return null;
      }
      if (!u.pathname.endsWith(WEBHOOK_PATH)) return null;
      key = u.searchParams.get('key');
    } else {
      key = raw; // the bare key
    }
    if (!key || !/^[A-Za-z0-9-]{8,128}$/.test(key)) return null;
    const base = this.api.pathname.replace(/\/+$/, '');
    const url = new URL(this.api.origin);
    url.pathname = `${base}${WEBHOOK_PATH}`;
    url.searchParams.set('key', key);
    return url;
  }

  /** Markdown, or with `mentionMobiles` a text message that @-mentions those people. */
  private async send(channel: string, markdown: string, mentionMobiles?: string[]): Promise<SendResult<void>> {
    if (utf8Bytes(markdown) > WECOM_MARKDOWN_MAX_BYTES) return { kind: 'failed', error: 'markdown over 4096 bytes (a bug in rendering)' };
    return this.sendMessage(
      channel,
      mentionMobiles
        ? { msgtype: 'text', text: { content: truncateUtf8(markdown, 2000), mentioned_mobile_list: mentionMobiles } }
        : { msgtype: 'markdown', markdown: { content: markdown } },
    );
  }

  /**
   * A report: its words as markdown with the chart's link (WeCom markdown shows no images), then
   * the chart itself as an `image` message (base64 and MD5 of the PNG, at most 2 MB).
   */
  async postImage(channel: string, message: ImageMessage): Promise<SendResult<void>> {
    const link = `\n[📈 ${message.title}](${message.url})`;
    const words = await this.send(channel, truncateUtf8(`**${message.title}**\n${message.text.split('\n').slice(1).join('\n')}`, WECOM_MARKDOWN_MAX_BYTES - utf8Bytes(link) - 8) + link);
    if (words.kind !== 'sent') return words;
    if (message.png.length > 2 * 1024 * 1024) return { kind: 'sent', value: undefined };
    return this.sendMessage(channel, {
      msgtype: 'image',
      image: { base64: message.png.toString('base64'), md5: createHash('md5').update(message.png).digest('hex') },
    });
  }

  private async sendMessage(channel: string, message: object): Promise<SendResult<void>> {
    const url = this.webhookUrl(channel);
    const where = maskChannel(channel);
    if (!url) return { kind: 'failed', error: `not a WeCom robot webhook URL: ${where}` };
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 15_000),
      });
    } catch (err) {
      const error = `network: ${(err as Error).message}`;
      this.log.warn({ channel: where, error }, 'wecom robot unreachable');
      return { kind: 'retry', afterMs: NETWORK_RETRY_MS, error };
    }
    let body: { errcode?: unknown; errmsg?: unknown } = {};
    try {
      body = (await res.json()) as typeof body;
    } catch {
      // not JSON: judged by the HTTP status below
    }
    const result = classify(res.status, body);
    if (result.kind !== 'sent') this.log.warn({ channel: where, result: result.kind, error: result.error }, 'wecom robot send did not succeed');
    return result;
  }
}

/** HTTP status and WeCom's `{errcode, errmsg}` → the outbox's verdict. */
export function classify(status: number, body: { errcode?: unknown; errmsg?: unknown }): SendResult<void> {
  if (status === 429 || status >= 500) return { kind: 'retry', afterMs: NETWORK_RETRY_MS, error: `http ${status}` };
  if (status !== 200) return { kind: 'failed', error: `http ${status}` };
  const code = typeof body.errcode === 'number' ? body.errcode : Number(body.errcode);
  const msg = typeof body.errmsg === 'string' ? body.errmsg.slice(0, 200) : '';
  if (!Number.isFinite(code)) return { kind: 'failed', error: 'answer without errcode' };
  switch (code) {
    case WECOM_ERR.ok:
      return { kind: 'sent', value: undefined };
    case WECOM_ERR.rateLimited:
      return { kind: 'retry', afterMs: RATE_RETRY_MS, error: `errcode 45009: over 20 messages a minute${msg ? ` (${msg})` : ''}` };
    case WECOM_ERR.systemBusy:
      return { kind: 'retry', afterMs: NETWORK_RETRY_MS, error: `errcode -1: system busy${msg ? ` (${msg})` : ''}` };
    case WECOM_ERR.invalidWebhook:
      return { kind: 'failed', error: `errcode 93000: invalid webhook URL (wrong key, or the robot was removed)${msg ? ` (${msg})` : ''}` };
    default:
      return { kind: 'failed', error: `errcode ${code}${msg ? `: ${msg}` : ''}` };
  }
}

/** `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1a2b…`: enough to tell robots apart, not to use one. */
export function maskChannel(channel: string): string {
  const key = /(?:[?&]key=|^)([A-Za-z0-9-]{8,})/.exec(channel.trim())?.[1];
  if (!key) return channel.slice(0, 60);
  return channel.trim().replace(key, `${key.slice(0, 4)}…`).slice(0, 120);
}
