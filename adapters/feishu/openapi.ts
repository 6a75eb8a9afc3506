import * as lark from '@larksuiteoapi/node-sdk';
import type { SendResult } from '../../src/bot/chat-adapter.js';
import type { Logger } from '../../src/log.js';
import { sdkLogger } from './sdk-log.js';

/**
 * The Feishu open API calls dutybot makes, through the SDK's `Client` (which fetches and caches
 * the tenant access token), with every outcome typed as a SendResult. Feishu answers most errors
 * as HTTP 4xx with a JSON `{code, msg}`; the SDK throws those as axios errors.
 */

export interface FeishuApiOptions {
  appId: string;
  appSecret: string;
  /** `https://open.feishu.cn`, `https://open.larksuite.com` (Lark), or a fake's URL. */
  domain: string;
  log: Logger;
  timeoutMs: number;
}

/** Feishu's rate-limit codes (the API's own, and "too many requests" of the gateway). */
const THROTTLED = new Set([99991400, 11232, 230020]);
/** Token and permission problems: retrying does not help, an admin must act. */
const AUTH = new Set([99991663, 99991664, 99991661, 99991668, 10014, 10003, 230027, 99991672]);

export type IdType = 'chat_id' | 'open_id' | 'user_id';

export class FeishuApi {
  readonly client: lark.Client;
  /** The last answer that said the app's credentials or scopes are wrong, until one succeeds. */
  authProblem: string | undefined;

  constructor(private readonly opts: FeishuApiOptions) {
    this.client = new lark.Client({
      appId: opts.appId,
      appSecret: opts.appSecret,
      domain: opts.domain,
      logger: sdkLogger(opts.log),
      loggerLevel: lark.LoggerLevel.warn,
      // Our own cache: the SDK's default is one per process, shared by every Client of the app id.
      cache: memoryCache(),
    });
  }

  /** `im.message.create`: a message to a chat or a person; the answer is its message id. */
  async send(idType: IdType, receiveId: string, msgType: 'interactive' | 'text', content: string): Promise<SendResult<string>> {
    return this.call('im.message.create', async () => {
      const res = await this.client.im.message.create(
        { params: { receive_id_type: idType }, data: { receive_id: receiveId, msg_type: msgType, content } },
        { timeout: this.opts.timeoutMs } as never,
      );
      return checked(res, (r) => r.data?.message_id);
    });
  }

  /** `im.message.patch`: replaces a card's content for everyone (the card has `update_multi`). */
  async patch(messageId: string, content: string): Promise<SendResult<void>> {
    return this.call('im.message.patch', async () => {
      const res = await this.client.im.message.patch({ path: { message_id: messageId }, data: { content } }, { timeout: this.opts.timeoutMs } as never);
      return checked(res, () => true).kind === 'sent' ? { kind: 'sent', value: undefined } : checked(res, () => undefined);
    });
  }

  /** `im.message.reply`: an answer under a message (in its thread when `inThread`). */
  async reply(messageId: string, msgType: 'interactive' | 'text', content: string, inThread = false): Promise<SendResult<string>> {
    return this.call('im.message.reply', async () => {
      const res = await this.client.im.message.reply(
        { path: { message_id: messageId }, data: { msg_type: msgType, content, reply_in_thread: inThread } },
        { timeout: this.opts.timeoutMs } as never,
      );
      return checked(res, (r) => r.data?.message_id);
    });
  }

  /**
   * An ephemeral card: shown in the group only to this person ("仅对你可见"). Feishu has no
   * ephemeral text, and the SDK no typed method for it.
   */
  async ephemeral(chatId: string, idType: 'open_id' | 'user_id', userId: string, card: object): Promise<SendResult<string>> {
    return this.call('ephemeral.send', async () => {
      const res: unknown = await this.client.request({
        method: 'POST',
        url: '/open-apis/ephemeral/v1/send',
        data: { chat_id: chatId, [idType]: userId, msg_type: 'interactive', card },
        timeout: this.opts.timeoutMs,
      } as never);
      return checked(res as Answer<{ message_id?: string }>, (r) => r.data?.message_id);
    });
  }

  private async call<T>(method: string, fn: () => Promise<SendResult<T>>): Promise<SendResult<T>> {
    let result: SendResult<T>;
    try {
      result = await fn();
    } catch (err) {
      result = fromError(err);
    }
    if (result.kind === 'sent') this.authProblem = undefined;
    else {
      if (result.kind === 'failed' && /^auth:/.test(result.error)) this.authProblem = `Feishu refused the app's credentials or scopes (${result.error})`;
      // Only the method and Feishu's code and message: never the request, which carries the token.
      this.opts.log.warn({ method, result: result.kind, error: result.error }, 'feishu call did not succeed');
    }
    return result;
  }
}

interface Answer<D> {
  code?: number;
  msg?: string;
  data?: D;
}

function checked<D, T>(res: Answer<D> | undefined, value: (r: Answer<D>) => T | undefined): SendResult<T> {
  if (!res) return { kind: 'retry', afterMs: 5_000, error: 'no answer' };
  if (res.code && res.code !== 0) return byCode(res.code, res.msg ?? '', undefined);
  const v = value(res);
  return v === undefined ? { kind: 'failed', error: 'answer without the expected data' } : { kind: 'sent', value: v };
}

function byCode<T>(code: number, msg: string, status: number | undefined): SendResult<T> {
  const error = `${code} ${msg}`.trim();
  if (THROTTLED.has(code) || status === 429) return { kind: 'retry', afterMs: 60_000, error };
  if (AUTH.has(code)) return { kind: 'failed', error: `auth: ${error}` };
  if (status !== undefined && status >= 500) return { kind: 'retry', afterMs: 5_000, error };
  return { kind: 'failed', error };
}

/** An axios error (HTTP 4xx/5xx, timeout, refused connection) → a SendResult, without the request. */
function fromError<T>(err: unknown): SendResult<T> {
  const e = err as { response?: { status?: number; data?: Answer<unknown>; headers?: Record<string, string> }; message?: string; code?: string };
  const status = e.response?.status;
  if (status !== undefined) {
    const code = e.response?.data?.code ?? status;
    const reset = Number(e.response?.headers?.['x-ogw-ratelimit-reset']);
    const res = byCode<T>(code, e.response?.data?.msg ?? `HTTP ${status}`, status);
    return res.kind === 'retry' && reset > 0 ? { ...res, afterMs: reset * 1000 } : res;
  }
  if (e.message && /token/i.test(e.message)) return { kind: 'failed', error: `auth: ${e.message}` };
  return { kind: 'retry', afterMs: 5_000, error: e.code ?? e.message ?? 'network error' };
}

/** The SDK's token cache interface, one per adapter. */
export function memoryCache(): lark.Cache {
  const values = new Map<string, { value: unknown; expire?: number }>();
  const keyOf = (key: string | symbol, ns?: string): string => `${ns ?? ''}|${String(key)}`;
  return {
    async set(key, value, expire, options) {
      values.set(keyOf(key as string | symbol, options?.namespace), { value, ...(expire ? { expire } : {}) });
      return true;
    },
    async get(key, options) {
      const v = values.get(keyOf(key as string | symbol, options?.namespace));
      if (!v || (v.expire && v.expire < Date.now())) return undefined;
      return v.value;
    },
  };
}
