import type { SendResult } from '../../src/bot/chat-adapter.js';

/**
 * DingTalk's new OpenAPI (`api.dingtalk.com/v1.0/...`): app access token and JSON calls with the
 * `x-acs-dingtalk-access-token` header, every outcome mapped to the outbox's verdict. No retries
 * here: the outbox decides when to try again (a retry kept only in memory dies with the process).
 */

export type Failure = { kind: 'retry'; afterMs: number; error: string } | { kind: 'failed'; error: string };

export const NETWORK_RETRY_MS = 5_000;
export const THROTTLE_RETRY_MS = 5_000;
/** Refresh this long before DingTalk's `expireIn` (7200 s) runs out. */
export const TOKEN_REFRESH_EARLY_MS = 5 * 60_000;

export interface OpenApiOptions {
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  now: () => number;
  timeoutMs?: number;
}

export type ApiOutcome<T> = { kind: 'ok'; body: T } | Failure;

/**
 * Access token for the app (`POST /v1.0/oauth2/accessToken`), cached until 5 minutes before it
 * expires. Concurrent callers share one request.
 */
export class TokenCache {
  private token: { value: string; refreshAt: number } | undefined;
  private pending: Promise<ApiOutcome<string>> | undefined;
  /** How many tokens were fetched (health and tests). */
  fetched = 0;

  constructor(private readonly opts: OpenApiOptions) {}

  get(): Promise<ApiOutcome<string>> {
    if (this.token && this.opts.now() < this.token.refreshAt) return Promise.resolve({ kind: 'ok', body: this.token.value });
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  invalidate(): void {
    this.token = undefined;
  }

  private async fetch(): Promise<ApiOutcome<string>> {
    const res = await request<{ accessToken?: unknown; expireIn?: unknown }>(this.opts, 'POST', '/v1.0/oauth2/accessToken', undefined, {
      appKey: this.opts.clientId,
      appSecret: this.opts.clientSecret,
    });
    if (res.kind !== 'ok') return res.kind === 'failed' ? { kind: 'failed', error: `access token: ${res.error}` } : res;
    const { accessToken, expireIn } = res.body;
    if (typeof accessToken !== 'string' || !accessToken) return { kind: 'failed', error: 'access token: answer without accessToken' };
    const ttlMs = (typeof expireIn === 'number' && expireIn > 0 ? expireIn : 7200) * 1000;
    this.fetched += 1;
    this.token = { value: accessToken, refreshAt: this.opts.now() + Math.max(ttlMs - TOKEN_REFRESH_EARLY_MS, ttlMs / 2) };
    return { kind: 'ok', body: accessToken };
  }
}

/** One OpenAPI call with the app token; a 401/403 refreshes the token once and tries again. */
export class OpenApi {
  readonly tokens: TokenCache;

  constructor(private readonly opts: OpenApiOptions) {
    this.tokens = new TokenCache(opts);
  }

  async call<T>(method: 'POST' | 'PUT', path: string, body: unknown): Promise<ApiOutcome<T>> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokens.get();
      if (token.kind !== 'ok') return token;
      const res = await request<T>(this.opts, method, path, token.body, body);
      if (res.kind === 'failed' && AUTH_FAILURE.test(res.error) && attempt === 0) {
        this.tokens.invalidate();
        continue;
      }
      return res;
    }
  }
}

const AUTH_FAILURE = /^http 40[13]\b/;
/** DingTalk's throttling codes: `Throttling.Api`, `Forbidden.AccessDenied.QpsLimitForApi`, … */
const THROTTLED = /throttl|qpslimit|ratelimit|flowcontrol|limitexceeded/i;

/** A JSON request; every outcome becomes ok / retry / failed, never a throw. */
export async function request<T>(
  opts: Pick<OpenApiOptions, 'apiUrl' | 'timeoutMs'>,
  method: 'POST' | 'PUT',
  path: string,
  token: string | undefined,
  body: unknown,
): Promise<ApiOutcome<T>> {
  let res: Response;
  try {
    res = await fetch(`${opts.apiUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(token ? { 'x-acs-dingtalk-access-token': token } : {}),
      },
      body: JSON.stringify(body ?? {}),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (err) {
    // DNS, refused, reset, our timeout: DingTalk never saw or never answered the call.
    return { kind: 'retry', afterMs: NETWORK_RETRY_MS, error: `network: ${(err as Error).message}` };
  }
  const text = await res.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = undefined;
  }
  const rec = (parsed && typeof parsed === 'object' ? parsed : {}) as { code?: unknown; message?: unknown };
  const code = typeof rec.code === 'string' ? rec.code : '';
  const detail = [code, typeof rec.message === 'string' ? rec.message : ''].filter(Boolean).join(' ');
  if (res.status === 429 || (!res.ok && THROTTLED.test(code))) {
    return { kind: 'retry', afterMs: retryAfterMs(res.headers.get('retry-after')), error: `throttled: http ${res.status} ${detail}`.trim() };
  }
  if (res.status >= 500 || res.status === 408) return { kind: 'retry', afterMs: NETWORK_RETRY_MS, error: `http ${res.status} ${detail}`.trim() };
  if (!res.ok) return { kind: 'failed', error: `http ${res.status} ${detail}`.trim() };
  if (parsed === undefined) return { kind: 'retry', afterMs: NETWORK_RETRY_MS, error: 'answer is not JSON' };
  return { kind: 'ok', body: parsed as T };
}

function retryAfterMs(header: string | null): number {
  const sec = header ? Number(header) : NaN;
  return Number.isFinite(sec) && sec > 0 ? Math.min(sec * 1000, 3_600_000) : THROTTLE_RETRY_MS;
}

/** `ApiOutcome` → `SendResult` for callers that only need the verdict. */
export function toSendResult<T, V>(res: ApiOutcome<T>, value: (body: T) => SendResult<V>): SendResult<V> {
  return res.kind === 'ok' ? value(res.body) : res;
}

/**
 * The old-style robot endpoints (sessionWebhook, custom robot) answer HTTP 200 with `errcode`.
 * -1 (busy) and 130101 (more than 20 a minute: throttled for 10 minutes) are worth a retry.
 */
export function robotErrcode(errcode: number, errmsg: string, throttledMs: number): SendResult<void> {
  if (errcode === 0) return { kind: 'sent', value: undefined };
  if (errcode === 130101) return { kind: 'retry', afterMs: throttledMs, error: `130101 throttled: ${errmsg}` };
  if (errcode === -1) return { kind: 'retry', afterMs: NETWORK_RETRY_MS, error: `-1 busy: ${errmsg}` };
  return { kind: 'failed', error: `${errcode} ${errmsg}`.trim() };
}

/** POST JSON to a robot webhook (sessionWebhook or custom robot) and read its errcode. */
export async function postRobot(url: string, body: unknown, throttledMs: number, timeoutMs = 15_000): Promise<SendResult<void>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { kind: 'retry', afterMs: NETWORK_RETRY_MS, error: `network: ${(err as Error).message}` };
  }
  const parsed = (await res.json().catch(() => undefined)) as { errcode?: unknown; errmsg?: unknown } | undefined;
  if (res.status === 429) return { kind: 'retry', afterMs: throttledMs, error: 'http 429' };
  if (res.status >= 500) return { kind: 'retry', afterMs: NETWORK_RETRY_MS, error: `http ${res.status}` };
  if (!res.ok) return { kind: 'failed', error: `http ${res.status}` };
  if (!parsed || typeof parsed.errcode !== 'number') return { kind: 'retry', afterMs: NETWORK_RETRY_MS, error: 'answer without errcode' };
  return robotErrcode(parsed.errcode, typeof parsed.errmsg === 'string' ? parsed.errmsg : '', throttledMs);
}
