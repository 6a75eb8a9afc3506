import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpFake, type FakeAnswer, type FakeFailure, type RecordedRequest } from './http-fake.js';

/**
 * A fake Aliyun RPC endpoint (dysmsapi `SendSms`, dyvmsapi `SingleCallByTts` and `IvrCall`, version
 * 2017-05-25) on 127.0.0.1. `pushVoiceReport()` plays the callee and Aliyun's HTTP batch push of
 * the call receipt (VoiceReport: a JSON array, `dtmf` = the keys pressed, `out_id` as sent; Aliyun
 * signs nothing). It checks the request the way Aliyun does, with its own code (not
 * dutybot's): the common parameters, a known AccessKeyId, a SignatureNonce never seen before, and
 * the SignatureVersion 1.0 HMAC-SHA1 signature over the canonicalised query
 * (`<METHOD>&%2F&<percent-encoded sorted k=v>`, key `<secret>&`). Answers as Aliyun does: HTTP 200
 * with `{Code: "OK", BizId|CallId, RequestId}` or an error `Code` (also with HTTP 200 for
 * business errors, 400/403 for signature errors).
 */
export class FakeAliyun extends HttpFake {
  private readonly nonces = new Set<string>();
  constructor(
    readonly accessKeyId = 'LTAI-test-key',
    readonly accessKeySecret = 'aliyun-test-secret',
    readonly templates = new Set(['SMS_000001', 'TTS_000001', 'TTS_000002', 'TTS_000003']),
  ) {
    super();
  }

  /** Parameters of accepted SendSms / SingleCallByTts calls. */
  calls(action: 'SendSms' | 'SingleCallByTts' | 'IvrCall'): Array<Record<string, string>> {
    return this.accepted()
      .map((r) => params(r))
      .filter((p) => p.Action === action);
  }

  /**
   * The call `callId` (IvrCall or SingleCallByTts) ended, its callee having pressed `dtmf` (none:
   * ''); Aliyun pushes the receipt to `url` (what was set in its console) as a JSON array, once per
   * push (it may push the same receipt again).
   */
  async pushVoiceReport(callId: string, dtmf: string, url: string): Promise<Response> {
    const r = this.accepted().find((x) => (x.answer as { CallId?: string }).CallId === callId);
    if (!r) throw new Error(`no call ${callId}`);
    const p = params(r);
    const report = {
      status_code: '200000',
      status_msg: '用户听完挂机',
      callee: p.CalledNumber,
      caller: p.CalledShowNumber,
      call_id: callId,
      out_id: p.OutId,
      dtmf,
      voice_type: 'voice',
      toll_type: 'LOCAL',
      originate_time: '2026-11-24 10:02:34',
      b_start_time: '2026-11-24 10:02:40',
      end_time: '2026-11-24 10:03:10',
      duration: '30',
    };
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([report]) });
  }

  protected override succeeded(r: RecordedRequest): boolean {
    return (r.answer as { Code?: string } | undefined)?.Code === 'OK';
  }

  protected verify(req: IncomingMessage, body: string): string | null {
    const p = params({ method: req.method ?? 'GET', path: req.url ?? '/', body } as RecordedRequest);
    for (const k of ['AccessKeyId', 'Action', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion', 'Timestamp', 'Version', 'Signature'])
      if (!p[k]) return `MissingParameter: ${k}`;
    if (p.AccessKeyId !== this.accessKeyId) return 'InvalidAccessKeyId.NotFound';
    if (p.SignatureMethod !== 'HMAC-SHA1' || p.SignatureVersion !== '1.0') return 'InvalidSignatureMethod';
    const enc = (s: string): string =>
      encodeURIComponent(s).replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~').replace(/[!'()]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
    const query = Object.entries(p)
      .filter(([k]) => k !== 'Signature')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${enc(k)}=${enc(v)}`)
      .join('&');
    const want = createHmac('sha1', `${this.accessKeySecret}&`).update(`${req.method}&%2F&${enc(query)}`).digest('base64');
    if (want !== p.Signature) return 'SignatureDoesNotMatch';
    if (this.nonces.has(p.SignatureNonce!)) return 'SignatureNonceUsed';
    this.nonces.add(p.SignatureNonce!);
    return null;
  }

  protected badSignature(reason: string): FakeAnswer {
    return { status: reason.startsWith('Signature') ? 400 : 404, body: { Code: reason.split(':')[0], Message: reason, RequestId: randomUUID() } };
  }

  protected answer(req: IncomingMessage, body: string, failure: FakeFailure | undefined): FakeAnswer {
    const p = params({ method: req.method ?? 'GET', path: req.url ?? '/', body } as RecordedRequest);
    const RequestId = randomUUID();
    if (failure === 'throttle') return { status: 200, body: { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1', RequestId } };
    if (failure === 'permanent') return { status: 200, body: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号', RequestId } };
    if (p.Action === 'SendSms') {
      if (!/^1\d{10}$/.test(p.PhoneNumbers ?? '')) return { status: 200, body: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号', RequestId } };
      if (!this.templates.has(p.TemplateCode ?? '')) return { status: 200, body: { Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: '模板不合法', RequestId } };
      try {
        JSON.parse(p.TemplateParam ?? '{}');
      } catch {
        return { status: 200, body: { Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法', RequestId } };
      }
      return { status: 200, body: { Code: 'OK', Message: 'OK', BizId: `${Date.now()}^${this.requests.length}`, RequestId } };
    }
    if (p.Action === 'SingleCallByTts') {
      if (!/^1\d{10}$/.test(p.CalledNumber ?? '')) return { status: 200, body: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '号码格式非法', RequestId } };
      if (!this.templates.has(p.TtsCode ?? '')) return { status: 200, body: { Code: 'isv.TTS_TEMPLATE_ILLEGAL', Message: '模板不合法', RequestId } };
      if (p.OutId !== undefined && badVoiceOutId(p.OutId)) return { status: 200, body: { Code: 'isv.INVALID_PARAMETERS', Message: 'OutId 长度为 1~15 个字节', RequestId } };
      return { status: 200, body: { Code: 'OK', Message: 'OK', CallId: `116012854210^${this.requests.length}`, RequestId } };
    }
    if (p.Action === 'IvrCall') {
      if (!/^1\d{10}$/.test(p.CalledNumber ?? '')) return { status: 200, body: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '号码格式非法', RequestId } };
      if (!p.CalledShowNumber) return { status: 200, body: { Code: 'MissingCalledShowNumber', Message: 'CalledShowNumber is mandatory', RequestId } };
      const menu = Object.keys(p).filter((k) => /^MenuKeyMap\.\d+\.Key$/.test(k));
      if (!menu.length) return { status: 200, body: { Code: 'MissingMenuKeyMap', Message: 'MenuKeyMap is mandatory', RequestId } };
      const codes = [p.StartCode, ...menu.map((k) => p[k.replace(/Key$/, 'Code')])];
      if (codes.some((c) => !this.templates.has(c ?? ''))) return { status: 200, body: { Code: 'isv.TTS_TEMPLATE_ILLEGAL', Message: '模板不合法', RequestId } };
      if (menu.some((k) => !/^[0-9*#]$/.test(p[k]!))) return { status: 200, body: { Code: 'isv.INVALID_PARAMETERS', Message: 'MenuKeyMap.Key', RequestId } };
      if (p.OutId !== undefined && badVoiceOutId(p.OutId)) return { status: 200, body: { Code: 'isv.INVALID_PARAMETERS', Message: 'OutId 长度为 1~15 个字节', RequestId } };
      try {
        JSON.parse(p.StartTtsParams ?? '{}');
      } catch {
        return { status: 200, body: { Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法', RequestId } };
      }
      return { status: 200, body: { Code: 'OK', Message: 'OK', CallId: `118720962490^${this.requests.length}`, RequestId } };
    }
    return { status: 404, body: { Code: 'InvalidAction.NotFound', Message: `unknown action ${p.Action}`, RequestId } };
  }
}

/** Aliyun's voice calls (SingleCallByTts, IvrCall) take an OutId of 1 to 15 bytes. */
function badVoiceOutId(outId: string): boolean {
  return Buffer.byteLength(outId) < 1 || Buffer.byteLength(outId) > 15;
}

/** Query (GET) or form body (POST) parameters. */
function params(r: Pick<RecordedRequest, 'method' | 'path' | 'body'>): Record<string, string> {
  const src = r.method === 'POST' ? r.body : (r.path.split('?')[1] ?? '');
  return Object.fromEntries(new URLSearchParams(src));
}
