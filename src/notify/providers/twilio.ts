import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SmsProviderConfig } from '../../config/schema.js';
import type { Channel, Delivery } from '../channel.js';
import { byStatus, networkFailure, permanent, retry, sent, type ChannelResult } from '../result.js';
import { spokenPress } from '../texts.js';
import { phoneOf } from './phone.js';

type Twilio = Extract<SmsProviderConfig, { provider: 'twilio' }>;

/**
 * X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + each POST parameter's name and value,
 * sorted by name)). Checked against Twilio's documented example in test/unit/notify/signing.test.ts.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function twilioSignatureValid(authToken: string, url: string, params: Record<string, string>, header: string | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(twilioSignature(authToken, url, params));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

const xml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** TwiML that reads the alert and, with a callback, waits for one key: 1 claims. */
export function callTwiml(d: Delivery, gatherUrl: string | undefined): string {
  const lang = d.locale === 'en' ? 'en-US' : 'cmn-CN';
  const say = (s: string): string => `<Say language="${lang}">${xml(s)}</Say>`;
  if (!gatherUrl) return `<Response>${say(d.content.spoken)}${say(d.content.spoken)}</Response>`;
  const prompt = `${d.content.spoken} ${spokenPress(d.locale)}`;
  return (
    `<Response><Gather numDigits="1" timeout="8" method="POST" action="${xml(gatherUrl)}">${say(prompt)}${say(prompt)}</Gather>` +
    `${say(d.content.spoken)}</Response>`
  );
}

/** Twilio REST (2010-04-01): Basic auth with the account SID and auth token, form bodies. */
abstract class TwilioBase implements Channel {
  abstract readonly method: 'sms' | 'voice';
  readonly provider = 'twilio';
  constructor(protected readonly cfg: Twilio) {}

  abstract send(d: Delivery): Promise<ChannelResult>;

  protected async post(resource: 'Messages' | 'Calls', form: Record<string, string>): Promise<ChannelResult> {
    const base = (this.cfg.endpoint ?? 'https://api.twilio.com').replace(/\/+$/, '');
    const url = `${base}/2010-04-01/Accounts/${this.cfg.accountSid}/${resource}.json`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${this.cfg.accountSid}:${this.cfg.authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      return networkFailure(err);
    }
    const body = (await res.json().catch(() => null)) as { sid?: string; code?: number; message?: string } | null;
    if (res.ok && body?.sid) return sent(body.sid);
    if (res.ok) return permanent(`${resource}.json answered without sid`);
    return twilioError(res.status, body?.code, body?.message ?? '', res.headers.get('retry-after'));
  }
}

/**
 * Twilio's error codes: 20429 / HTTP 429 (too many requests) and 5xx are retried; invalid or
 * unreachable numbers (21211, 21214, 21217, 21614), opted-out recipients (21610), auth (20003)
 * and other 4xx are permanent.
 */
export function twilioError(status: number, code: number | undefined, message: string, retryAfter?: string | null): ChannelResult {
  const error = `http ${status}${code ? ` code ${code}` : ''}: ${message}`.slice(0, 300);
  if (code === 20429 || status === 429) return retry(error, retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 10_000);
  return byStatus(status, error, retryAfter);
}

export class TwilioSmsChannel extends TwilioBase {
  readonly method = 'sms' as const;
  async send(d: Delivery): Promise<ChannelResult> {
    const phone = phoneOf(d.member, false);
    if (typeof phone !== 'string') return phone;
    return this.post('Messages', { To: phone, From: this.cfg.from, Body: d.content.short });
  }
}

export class TwilioVoiceChannel extends TwilioBase {
  readonly method = 'voice' as const;
  /** `gatherUrl(token)`: where Twilio posts the pressed key (absent without a public URL and link secret). */
  constructor(
    cfg: Twilio,
    private readonly gatherUrl?: (token: string) => string,
  ) {
    super(cfg);
  }
  async send(d: Delivery): Promise<ChannelResult> {
    const phone = phoneOf(d.member, false);
    if (typeof phone !== 'string') return phone;
    const gather = d.linkToken && this.gatherUrl ? this.gatherUrl(d.linkToken) : undefined;
    return this.post('Calls', { To: phone, From: this.cfg.from, Twiml: callTwiml(d, gather) });
  }
}
