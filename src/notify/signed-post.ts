import { createHmac } from 'node:crypto';
import { byStatus, networkFailure, sent, type ChannelResult } from './result.js';

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

/** 2xx → sent (receipt: status and the receiver's request id, if any); 408/429/5xx/network → retry; other 4xx → permanent. */
export async function signedPost(url: string, payload: unknown, o: SignedPostOptions): Promise<ChannelResult> {
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
    return networkFailure(err);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) {
    const rid = res.headers.get('x-request-id');
    return sent(rid ? `http ${res.status} ${rid.slice(0, 100)}` : `http ${res.status}`);
  }
  return byStatus(res.status, `http ${res.status}`, res.headers.get('retry-after'));
}
