/**
 * What one channel answers for one message. The sender acts on it: `sent` is recorded with the
 * provider's id (the delivery receipt), `retry` goes back to pending after at least `afterMs`,
 * `permanent` fails the row for good and starts its fallback.
 */
export type ChannelResult =
  | { kind: 'sent'; receipt: string }
  | { kind: 'retry'; afterMs: number; error: string }
  | { kind: 'permanent'; error: string };

export const NETWORK_RETRY_MS = 5_000;

export const sent = (receipt: string): ChannelResult => ({ kind: 'sent', receipt });
export const retry = (error: string, afterMs = NETWORK_RETRY_MS): ChannelResult => ({ kind: 'retry', afterMs, error });
export const permanent = (error: string): ChannelResult => ({ kind: 'permanent', error });

/**
 * An HTTP status that says nothing more specific: 408, 429 and 5xx are worth another try, other
 * 4xx are not. `Retry-After` (seconds) sets the wait when the server gives one.
 */
export function byStatus(status: number, error: string, retryAfter?: string | null): ChannelResult {
  if (status === 408 || status === 429 || status >= 500) {
    const sec = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
    return retry(error, sec !== undefined ? Math.max(1, sec) * 1000 : NETWORK_RETRY_MS);
  }
  return permanent(error);
}

/** A fetch that threw: refused, reset, DNS, our own timeout. The provider may or may not have acted. */
export function networkFailure(err: unknown): ChannelResult {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const what = e?.name === 'TimeoutError' || e?.name === 'AbortError' ? 'timeout' : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err));
  return retry(`network: ${what}`);
}
