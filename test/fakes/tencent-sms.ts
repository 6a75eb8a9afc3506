import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpFake, type FakeAnswer, type FakeFailure, type RecordedRequest } from './http-fake.js';

/**
 * A fake Tencent Cloud SMS endpoint (`SendSms`, API 3.0, version 2021-01-11) on 127.0.0.1. It
 * recomputes TC3-HMAC-SHA256 from the request it received, with its own code: the signed headers
 * named in `Authorization`, the SHA-256 of the body, the credential scope
 * `<date>/sms/tc3_request` and the key chain from `TC3<SecretKey>`. Answers like Tencent: HTTP 200
 * with `{Response: {SendStatusSet: [...], RequestId}}` or `{Response: {Error: {Code, Message}}}`.
 */
export class FakeTencentSms extends HttpFake {
  constructor(
    readonly secretId = 'AKID-test-id',
    readonly secretKey = 'tencent-test-key',
    readonly sdkAppId = '1400000001',
  ) {
    super();
  }

  /** Bodies of accepted SendSms calls. */
  sends(): Array<{ PhoneNumberSet: string[]; TemplateParamSet: string[]; SessionContext?: string; SignName: string; TemplateId: string }> {
    return this.accepted().map((r) => JSON.parse(r.body));
  }

  protected override succeeded(r: RecordedRequest): boolean {
    const resp = (r.answer as { Response?: { Error?: unknown; SendStatusSet?: Array<{ Code: string }> } } | undefined)?.Response;
    return !resp?.Error && resp?.SendStatusSet?.[0]?.Code === 'Ok';
  }

  protected verify(req: IncomingMessage, body: string): string | null {
    const auth = req.headers.authorization ?? '';
    const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return 'AuthFailure.InvalidAuthorization';
    const [, id, date, service, signedHeaders, signature] = m as unknown as string[];
    if (id !== this.secretId) return 'AuthFailure.SecretIdNotFound';
    if (service !== 'sms' || req.headers['x-tc-action'] !== 'SendSms') return 'InvalidAction';
    const ts = Number(req.headers['x-tc-timestamp']);
    if (!Number.isInteger(ts) || new Date(ts * 1000).toISOString().slice(0, 10) !== date) return 'AuthFailure.InvalidAuthorization';
    const names = signedHeaders!.split(';');
    if (!names.includes('content-type') || !names.includes('host')) return 'AuthFailure.InvalidAuthorization';
    const canonHeaders = names.map((h) => `${h}:${String(req.headers[h] ?? '').trim().toLowerCase()}\n`).join('');
    const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
    const canonical = `POST\n/\n\n${canonHeaders}\n${signedHeaders}\n${sha(body)}`;
    const toSign = `TC3-HMAC-SHA256\n${ts}\n${date}/${service}/tc3_request\n${sha(canonical)}`;
    let key: Buffer = createHmac('sha256', `TC3${this.secretKey}`).update(date!).digest();
    key = createHmac('sha256', key).update(service!).digest();
    key = createHmac('sha256', key).update('tc3_request').digest();
    if (createHmac('sha256', key).update(toSign).digest('hex') !== signature) return 'AuthFailure.SignatureFailure';
    return null;
  }

  protected badSignature(reason: string): FakeAnswer {
    return { status: 200, body: { Response: { Error: { Code: reason, Message: 'The provided credentials could not be validated.' }, RequestId: randomUUID() } } };
  }

  protected answer(_req: IncomingMessage, body: string, failure: FakeFailure | undefined): FakeAnswer {
    const RequestId = randomUUID();
    const err = (Code: string, Message: string): FakeAnswer => ({ status: 200, body: { Response: { Error: { Code, Message }, RequestId } } });
    let b: { PhoneNumberSet?: string[]; SmsSdkAppId?: string; SessionContext?: string };
    try {
      b = JSON.parse(body);
    } catch {
      return err('InvalidParameter', 'body is not JSON');
    }
    if (b.SmsSdkAppId !== this.sdkAppId) return err('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId not exist');
    const phone = b.PhoneNumberSet?.[0] ?? '';
    if (failure === 'permanent' || !/^\+\d{6,15}$/.test(phone)) return err('InvalidParameterValue.IncorrectPhoneNumber', 'incorrect phone number');
    const status =
      failure === 'throttle'
        ? { Code: 'LimitExceeded.PhoneNumberThirtySecondLimit', Message: 'the number of sms messages sent from a single mobile number within 30 seconds exceeds the upper limit' }
        : { Code: 'Ok', Message: 'send success' };
    return {
      status: 200,
      body: { Response: { SendStatusSet: [{ SerialNo: `2019:${randomUUID()}`, PhoneNumber: phone, Fee: 1, SessionContext: b.SessionContext ?? '', IsoCode: 'CN', ...status }], RequestId } },
    };
  }
}
