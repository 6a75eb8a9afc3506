import { createHmac, randomUUID } from 'node:crypto';
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
import { postRobot } from './openapi.js';
import { cut, webhookLine, webhookMarkdown } from './render.js';

/**
 * A DingTalk custom group robot (群设置 → 智能群助手 → 添加机器人 → 自定义): outbound only. It
 * posts markdown, cannot edit, and nothing comes back, so there are no buttons and the message says
 * how to act instead. The core never asks it to edit: state changes and grown summaries come as new
 * messages (src/bot/no-edit-delivery.ts); a one-line message goes out as text, @-mentioning.
 *
 * Channels are configured per team as `{platform: 'dingtalk-webhook', url, secret}`. The channel
 * id the core hands us is the robot URL itself (`channelId(cfg)`); its signing secret comes from
 * `secrets` / `resolveSecret`. A robot without 加签 (keyword or IP security) has no secret.
 */

export interface DingTalkWebhookChannel {
  platform: 'dingtalk-webhook';
  /** `https://oapi.dingtalk.com/robot/send?access_token=…` as DingTalk shows it. */
  url: string;
  /** The `SEC…` secret of 加签, when the robot uses it. */
  secret?: string;
}

/** The channel id of a configured custom robot, as the core computes it (`channelName()` in card-sync). */
export function channelId(cfg: Pick<DingTalkWebhookChannel, 'url'>): string {
  return cfg.url;
}

/** `url → secret` for every configured robot that signs. */
export function secretsOf(channels: ReadonlyArray<{ platform: string; url?: unknown; secret?: unknown }>): Map<string, string> {
  const map = new Map<string, string>();
  for (const c of channels) {
    if (c.platform === 'dingtalk-webhook' && typeof c.url === 'string' && typeof c.secret === 'string' && c.secret) map.set(channelId({ url: c.url }), c.secret);
  }
  return map;
}

export interface DingTalkWebhookAdapterOptions {
  log: Logger;
  /** Secrets by channel id (robot URL). */
  secrets?: ReadonlyMap<string, string>;
  /** Or a lookup, consulted when `secrets` has no entry. */
  resolveSecret?: (channel: string) => string | undefined;
  /** Replaces the robot URLs' origin, `https://oapi.dingtalk.com` (tests: the fake). */
  oapiUrl?: string;
  /** Epoch ms: the `timestamp` of the signature. */
  now?: () => number;
  /** The line under the command hint; by default it says this robot cannot receive replies. */
  actHint?: string;
  requestTimeoutMs?: number;
}

/** DingTalk throttles a custom robot for 10 minutes after 20 messages in a minute (errcode 130101). */
export const THROTTLED_MS = 10 * 60_000;

export class DingTalkWebhookAdapter implements ChatAdapter {
  readonly platform = 'dingtalk-webhook' as const;
  readonly capabilities: AdapterCapabilities = { edit: false, buttons: false, receive: false };

  private readonly log: Logger;
  private readonly now: () => number;
  /** Channels whose last answer was a permanent refusal (bad sign, keyword, token). */
  private readonly problems = new Map<string, string>();
  private started = false;

  constructor(private readonly opts: DingTalkWebhookAdapterOptions) {
    this.log = opts.log.child({ platform: 'dingtalk-webhook' });
    this.now = opts.now ?? Date.now;
  }

  /** Reads DINGTALK_OAPI_URL; secrets come from the teams' channel config. */
  static fromEnv(env: NodeJS.ProcessEnv, log: Logger, secrets: ReadonlyMap<string, string> | ((channel: string) => string | undefined)): DingTalkWebhookAdapter {
    const oapiUrl = env.DINGTALK_OAPI_URL?.trim() || undefined;
    return new DingTalkWebhookAdapter({
      log,
      ...(typeof secrets === 'function' ? { resolveSecret: secrets } : { secrets }),
      ...(oapiUrl ? { oapiUrl } : {}),
    });
  }

  status(): AdapterStatus {
    if (!this.started) return { state: 'off' };
    const first = this.problems.entries().next();
    if (!first.done) return { state: 'degraded', detail: `${first.value[1]} (${maskUrl(first.value[0])})` };
    return { state: 'ready' };
  }

  async start(_handler: InboundHandler): Promise<void> {
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  async post(channel: string, card: Card): Promise<SendResult<MessageRef>> {
    const oneLine = card.kind === 'summary' && card.lines.length === 0;
    const sent = await this.send(channel, oneLine ? webhookLine(card) : webhookMarkdown(card, this.opts.actHint));
    if (sent.kind !== 'sent') return sent;
    // The robot API returns no message id: ours is only a record that it went out.
    const messageId = `dtw-${randomUUID()}`;
    return { kind: 'sent', value: { platform: 'dingtalk-webhook', channel, messageId } };
  }

  /** A custom robot cannot edit what it posted (the core knows, from `capabilities`). */
  async update(_ref: MessageRef, _card: Card): Promise<SendResult<void>> {
    return { kind: 'unsupported', error: 'a DingTalk custom robot cannot edit a message' };
  }

  /** A report: markdown with its lines and the chart, shown by DingTalk from dutybot's signed link. */
  async postImage(channel: string, message: ImageMessage): Promise<SendResult<void>> {
    const lines = message.text.split('\n').slice(1);
    const text = [`### ${message.title}`, ...lines, `![chart](${message.url})`].join('\n\n');
    return this.send(channel, { msgtype: 'markdown', markdown: { title: cut(message.title, 60), text: cut(text, 18_000) } });
  }

  /** Nothing reaches this robot, so nothing is answered privately; public text goes to the group. */
  async reply(to: ReplyTarget, reply: BotReply): Promise<SendResult<void>> {
    if (reply.private) return { kind: 'failed', error: 'a custom robot cannot answer privately' };
    return this.send(to.channel, { msgtype: 'text', text: { content: cut(reply.text, 4000) } });
  }

  private async send(channel: string, message: object): Promise<SendResult<void>> {
    let url: string;
    try {
      url = this.signedUrl(channel);
    } catch (err) {
      return { kind: 'failed', error: (err as Error).message };
    }
    const body = { at: { atMobiles: [], atUserIds: [], isAtAll: false }, ...message };
    const sent = await postRobot(url, body, THROTTLED_MS, this.opts.requestTimeoutMs ?? 15_000);
    if (sent.kind === 'sent') this.problems.delete(channel);
    else {
      if (sent.kind === 'failed') this.problems.set(channel, explain(sent.error));
      this.log.warn({ robot: maskUrl(channel), result: sent.kind, error: sent.error }, 'dingtalk custom robot did not take the message');
    }
    return sent;
  }

  /** The robot URL on the configured host, with `timestamp` and `sign` when it has a secret. */
  private signedUrl(channel: string): string {
    let u: URL;
    try {
      u = new URL(channel);
    } catch {
      throw new Error('dingtalk-webhook channel is not a URL');
    }
    if (!u.searchParams.get('access_token')) throw new Error('dingtalk-webhook URL has no access_token');
    if (this.opts.oapiUrl) {
      const base = new URL(this.opts.oapiUrl);
      u = new URL(`${base.pathname.replace(/\/+$/, '')}${u.pathname}${u.search}`, base.origin);
    }
    const secret = this.opts.secrets?.get(channel) ?? this.opts.resolveSecret?.(channel);
    if (secret) {
      const timestamp = String(this.now());
      u.searchParams.set('timestamp', timestamp);
      u.searchParams.set('sign', sign(timestamp, secret));
    }
    return u.toString();
  }


}

/**
 * DingTalk's 加签: base64 HMAC-SHA256 of `timestamp + "\n" + secret`, keyed by the secret.
 * Returned unencoded: `URLSearchParams` encodes it once (DingTalk wants it URL-encoded once).
 */
export function sign(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** A robot URL for logs: the token is a credential. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    const token = u.searchParams.get('access_token') ?? '';
    return `${u.origin}${u.pathname}?access_token=…${token.slice(-4)}`;
  } catch {
    return '[bad url]';
  }
}

function explain(error: string): string {
  if (error.startsWith('310000')) return 'DingTalk refused the robot message: bad sign, missing keyword or IP not allowed (310000)';
  return `DingTalk refused the robot message (${error})`;
}
