import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpFake, type FakeAnswer, type FakeFailure } from './http-fake.js';

/**
 * A receiver of dutybot's signed webhooks on 127.0.0.1: checks `X-Dutybot-Signature`
 * (`sha256=` hex HMAC-SHA256 of `<X-Dutybot-Timestamp>.<body>`) with its secret and remembers
 * `Idempotency-Key`s, acting once per key as a careful receiver would.
 */
export class FakeWebhookReceiver extends HttpFake {
  /** Bodies acted on, once per idempotency key. */
  readonly received: Array<{ key: string; body: Record<string, unknown> }> = [];
  constructor(readonly secret = 'webhook-test-secret-0123') {
    super();
  }

  protected verify(req: IncomingMessage, body: string): string | null {
    const ts = String(req.headers['x-dutybot-timestamp'] ?? '');
    const sig = String(req.headers['x-dutybot-signature'] ?? '');
    if (!/^\d+$/.test(ts)) return 'missing timestamp';
    const want = Buffer.from(`sha256=${createHmac('sha256', this.secret).update(`${ts}.${body}`).digest('hex')}`);
    if (want.length !== sig.length || !timingSafeEqual(want, Buffer.from(sig))) return 'bad signature';
    if (!req.headers['idempotency-key']) return 'missing idempotency key';
    return null;
  }

  protected badSignature(reason: string): FakeAnswer {
    return { status: 401, body: { error: reason } };
  }

  /** What the next requests are answered (after the signature check), instead of 202 `{ok: true}`: act-backs, redirects, slow or huge answers. */
  readonly replies: FakeAnswer[] = [];
  reply(...answers: FakeAnswer[]): void {
    this.replies.push(...answers);
  }

  protected answer(req: IncomingMessage, body: string, failure: FakeFailure | undefined): FakeAnswer {
    if (failure === 'throttle') return { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '3' } };
    if (failure === 'permanent') return { status: 410, body: { error: 'gone' } };
    const a = this.replies.shift() ?? { status: 202, body: { ok: true }, headers: { 'x-request-id': `wh-${this.requests.length}` } };
    const key = String(req.headers['idempotency-key']);
    if (a.status < 300 && !this.received.some((r) => r.key === key)) this.received.push({ key, body: JSON.parse(body) });
    return a;
  }
}
