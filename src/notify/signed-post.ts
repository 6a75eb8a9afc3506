import { createHmac } from 'node:crypto';
import { byStatus, networkFailure, permanent, sent, type ChannelResult } from './result.js';

/**
 * A signed outgoing webhook POST, reusable by every feature that calls out to a user's URL.
 *
 * Headers: `X-Dutybot-Timestamp` (unix seconds), `X-Dutybot-Signature: sha256=<hex HMAC-SHA256
 * of "<timestamp>.<body>">` with the shared secret, and `Idempotency-Key` (the same for every
 * attempt of one message, so a receiver that remembers keys acts once). A receiver should refuse
 * timestamps more than 5 minutes off.
 */
export interface SignedPostOptions {
  secret: string;
  idempotencyKey: string;
  /** Unix seconds of the signature; the caller's clock. */
  timestamp: number;
  timeoutMs?: number;
  userAgent?: string;
}

export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** The outcome of a signed POST and, when asked for, the start of the receiver's answer. */
export interface SignedPostAnswer {
  result: ChannelResult;
  /** The HTTP status, when one came back. */
  status?: number;
  /** At most `maxBodyBytes` of the answer's body (UTF-8); `truncated` when it was longer. */
  body?: string;
  truncated?: boolean;
}

/** 2xx → sent (receipt: status and the receiver's request id, if any); 408/429/5xx/network → retry; other 4xx → permanent. */
export async function signedPost(url: string, payload: unknown, o: SignedPostOptions): Promise<ChannelResult> {
  return (await signedPostAnswer(url, payload, o)).result;
}

/**
 * {@link signedPost}, keeping the answer's body (at most `maxBodyBytes`, 64 KiB by default: a
 * huge answer is cut, never buffered whole). Redirects are not followed: a 3xx is a permanent
 * failure naming its Location. The timeout covers reading the body too.
 */
export async function signedPostAnswer(url: string, payload: unknown, o: SignedPostOptions & { maxBodyBytes?: number }): Promise<SignedPostAnswer> {
  const body = JSON.stringify(payload);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': o.userAgent ?? 'dutybot-webhook/1',
        'x-dutybot-timestamp': String(o.timestamp),
        'x-dutybot-signature': webhookSignature(o.secret, o.timestamp, body),
        'idempotency-key': o.idempotencyKey,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    });
  } catch (err) {
    return { result: networkFailure(err) };
  }
  const read = await readAtMost(res, o.maxBodyBytes ?? 65_536);
  if (res.status >= 200 && res.status < 300) {
    if (read.error) return { result: networkFailure(read.error), status: res.status };
    const rid = res.headers.get('x-request-id');
    return { result: sent(rid ? `http ${res.status} ${rid.slice(0, 100)}` : `http ${res.status}`), status: res.status, body: read.text, truncated: read.truncated };
  }
  if (res.status >= 300 && res.status < 400) {
    const to = res.headers.get('location');
    return { result: permanent(`http ${res.status} redirect${to ? ` to ${to.slice(0, 200)}` : ''} (not followed)`), status: res.status, body: read.text };
  }
  return { result: byStatus(res.status, `http ${res.status}`, res.headers.get('retry-after')), status: res.status, body: read.text, truncated: read.truncated };
}

/** Reads a body up to `max` bytes, then drops the rest of the stream. */
async function readAtMost(res: Response, max: number): Promise<{ text: string; truncated: boolean; error?: unknown }> {
  if (!res.body) return { text: '', truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > max) {
        truncated = true;
        await reader.cancel().catch(() => {});
        break;
      }
    }
  } catch (err) {
    return { text: '', truncated: false, error: err };
  }
  const text = Buffer.concat(chunks).subarray(0, max).toString('utf8');
  return { text, truncated };
}
