import { createHash, createHmac } from 'node:crypto';
import type { SmsProviderConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { Channel, Delivery } from '../channel.js';
import { byStatus, networkFailure, permanent, retry, sent, type ChannelResult } from '../result.js';
import { outId, phoneOf } from './phone.js';

type TencentSms = Extract<SmsProviderConfig, { provider: 'tencent' }>;

const sha256hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string): Buffer => createHmac('sha256', key).update(s, 'utf8').digest();

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  service: string;
  host: string;
  /** Unix seconds. */
  timestamp: number;
  payload: string;
  contentType?: string;
}

/**
 * Tencent Cloud API 3.0 signature TC3-HMAC-SHA256: CanonicalRequest (POST, `/`, empty query,
 * `content-type` and `host` headers, SHA-256 of the body) → StringToSign (algorithm, timestamp,
 * `<date>/<service>/tc3_request`, SHA-256 of the canonical request) → the key derived by
 * HMAC-SHA256 chain `TC3<secretKey>` → date → service → `tc3_request`. Checked against the
 * published example (CVM DescribeInstances) in test/unit/notify/signing.test.ts.
 */
export function tc3Authorization(i: Tc3Input): string {
  const contentType = i.contentType ?? 'application/json; charset=utf-8';
  const signedHeaders = 'content-type;host';
  const canonical = ['POST', '/', '', `content-type:${contentType.toLowerCase()}\nhost:${i.host.toLowerCase()}\n`, signedHeaders, sha256hex(i.payload)].join('\n');
  const date = new Date(i.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${i.service}/tc3_request`;
  const toSign = ['TC3-HMAC-SHA256', String(i.timestamp), scope, sha256hex(canonical)].join('\n');
  const kDate = hmac(`TC3${i.secretKey}`, date);
  const kService = hmac(kDate, i.service);
  const kSigning = hmac(kService, 'tc3_request');
  const signature = createHmac('sha256', kSigning).update(toSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${i.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

/**
 * Tencent Cloud SMS `SendSms` (version 2021-01-11): template parameters {1} severity, {2} id,
 * {3} title, {4} link; `SessionContext` carries the outbox row's id (echoed in receipts and
 * delivery reports).
 */
export class TencentSmsChannel implements Channel {
  readonly method = 'sms' as const;
  readonly provider = 'tencent';
  constructor(
    private readonly cfg: TencentSms,
    private readonly clock: Clock,
  ) {}

  async send(d: Delivery): Promise<ChannelResult> {
    const phone = phoneOf(d.member, false);
    if (typeof phone !== 'string') return phone;
    const p = d.content.params;
    const payload = JSON.stringify({
      PhoneNumberSet: [phone],
      SmsSdkAppId: this.cfg.sdkAppId,
      SignName: this.cfg.signName,
      TemplateId: this.cfg.templateId,
      TemplateParamSet: [p.severity, p.id, p.title, p.link],
      SessionContext: outId(d.row._id),
    });
    const url = new URL(this.cfg.endpoint ?? 'https://sms.tencentcloudapi.com');
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const authorization = tc3Authorization({ secretId: this.cfg.secretId, secretKey: this.cfg.secretKey, service: 'sms', host: url.host, timestamp, payload });
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/json; charset=utf-8',
          'x-tc-action': 'SendSms',
          'x-tc-timestamp': String(timestamp),
          'x-tc-version': '2021-01-11',
          'x-tc-region': this.cfg.region,
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      return networkFailure(err);
    }
    const body = (await res.json().catch(() => null)) as {
      Response?: { Error?: { Code?: string; Message?: string }; SendStatusSet?: Array<{ Code?: string; Message?: string; SerialNo?: string }> };
    } | null;
    if (!res.ok || !body?.Response) return byStatus(res.ok ? 502 : res.status, `http ${res.status}`);
    const r = body.Response;
    if (r.Error) return tencentError(r.Error.Code ?? 'UnknownError', r.Error.Message ?? '');
    const status = r.SendStatusSet?.[0];
    if (!status) return permanent('SendSms answered without SendStatusSet');
    if (status.Code !== 'Ok') return tencentError(status.Code ?? 'UnknownError', status.Message ?? '');
    return sent(status.SerialNo ?? 'ok');
  }
}

/** Tencent's error codes: limits, throttling and internal errors are retried; the rest is permanent. */
export function tencentError(code: string, message: string): ChannelResult {
  const error = `${code}: ${message}`.slice(0, 300);
  if (/^LimitExceeded\./.test(code) && /Limit$/.test(code)) return retry(error, 60_000);
  if (code === 'RequestLimitExceeded' || /^InternalError/.test(code)) return retry(error, 30_000);
  return permanent(error);
}
