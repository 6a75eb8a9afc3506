import { webApi } from '@slack/bolt';

/**
 * A Web API failure → the outbox's verdict. The WebClient is built with no retries and with
 * `rejectRateLimitedCalls`, so every failure reaches us at once and the outbox decides when to
 * try again (a process restart must not lose a retry that lived only in the SDK's memory).
 */
export type Failure = { kind: 'retry'; afterMs: number; error: string } | { kind: 'failed'; error: string };

export const NETWORK_RETRY_MS = 5_000;

/** Platform errors that are worth another try later; every other `ok:false` is permanent. */
const TRANSIENT = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/** Errors that mean the bot token itself is wrong: the adapter reports itself degraded. */
export const AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission']);

export function classify(err: unknown): Failure {
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  switch (e?.code) {
    case webApi.ErrorCode.RateLimitedError: {
      const sec = typeof e.retryAfter === 'number' && Number.isFinite(e.retryAfter) ? e.retryAfter : 1;
      return { kind: 'retry', afterMs: Math.max(1, sec) * 1000, error: `ratelimited (retry after ${sec} s)` };
    }
    case webApi.ErrorCode.RequestError:
      // DNS, refused connection, reset, our own request timeout: Slack never saw or never answered.
      return { kind: 'retry', afterMs: NETWORK_RETRY_MS, error: `network: ${e.message ?? 'request failed'}` };
    case webApi.ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      const error = `http ${status}`;
      return status >= 500 || status === 408 ? { kind: 'retry', afterMs: NETWORK_RETRY_MS, error } : { kind: 'failed', error };
    }
    case webApi.ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      return TRANSIENT.has(code) ? { kind: 'retry', afterMs: NETWORK_RETRY_MS, error: code } : { kind: 'failed', error: code };
    }
    default:
      // Not from the Web API client (a bug of ours, a bad argument): retrying would not help.
      return { kind: 'failed', error: e?.message ?? String(err) };
  }
}

/** The Slack error code of a failure (`channel_not_found`), for callers that branch on it. */
export function platformError(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  return e?.code === webApi.ErrorCode.PlatformError ? e.data?.error : undefined;
}
