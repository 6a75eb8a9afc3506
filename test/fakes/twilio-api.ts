import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpFake, type FakeAnswer, type FakeFailure, type RecordedRequest } from './http-fake.js';

/**
 * A fake Twilio REST API (2010-04-01) on 127.0.0.1: `Messages.json` and `Calls.json` under
 * `/2010-04-01/Accounts/<AccountSid>/`, HTTP Basic auth with the account SID and auth token,
 * form bodies; 201 with `{sid, status}` or Twilio's error JSON `{code, message, status}`.
 * `pressKey()` plays the callee: it reads the <Gather action> from the call's TwiML and posts the
 * digit there signed with X-Twilio-Signature (HMAC-SHA1 of URL + sorted params, base64), computed
 * here independently of dutybot's code.
 */
export class FakeTwilio extends HttpFake {
  constructor(
    readonly accountSid = `AC${'0123456789abcdef'.repeat(2)}`,
    readonly authToken = 'twilio-test-auth-token',
  ) {
    super();
  }

  messages(): Array<Record<string, string>> {
    return this.accepted()
      .filter((r) => r.path.endsWith('/Messages.json'))
      .map((r) => ({ ...Object.fromEntries(new URLSearchParams(r.body)), sid: (r.answer as { sid: string }).sid }));
  }

  calls(): Array<Record<string, string>> {
    return this.accepted()
      .filter((r) => r.path.endsWith('/Calls.json'))
      .map((r) => ({ ...Object.fromEntries(new URLSearchParams(r.body)), sid: (r.answer as { sid: string }).sid }));
  }

  /**
   * The callee presses `digit` during call `callSid`: POST to the Gather action URL, signed for
   * that URL, delivered to `deliverTo` (the origin dutybot listens on behind its public URL).
   */
  async pressKey(callSid: string, digit: string, deliverTo: string): Promise<Response> {
    const call = this.calls().find((c) => c.sid === callSid);
    if (!call) throw new Error(`no call ${callSid}`);
    const action = /<Gather[^>]*action="([^"]+)"/.exec(call.Twiml ?? '')?.[1]?.replace(/&#38;/g, '&').replace(/&amp;/g, '&');
    if (!action) throw new Error('the call has no <Gather action>');
    const params: Record<string, string> = { AccountSid: this.accountSid, CallSid: callSid, Digits: digit, From: call.From!, To: call.To!, CallStatus: 'in-progress' };
    const data = action + Object.keys(params).sort().map((k) => k + params[k]).join('');
    const signature = createHmac('sha1', this.authToken).update(data).digest('base64');
    const u = new URL(action);
    return fetch(deliverTo + u.pathname + u.search, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
  }

  protected verify(req: IncomingMessage): string | null {
    const want = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== want) return 'auth';
    if (!new RegExp(`^/2010-04-01/Accounts/${this.accountSid}/(Messages|Calls)\\.json$`).test(req.url ?? '')) return 'path';
    return null;
  }

  protected badSignature(reason: string): FakeAnswer {
    return reason === 'auth'
      ? { status: 401, body: { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 } }
      : { status: 404, body: { code: 20404, message: 'The requested resource was not found', status: 404 } };
  }

  protected answer(req: IncomingMessage, body: string, failure: FakeFailure | undefined): FakeAnswer {
    const p = Object.fromEntries(new URLSearchParams(body));
    if (failure === 'throttle') return { status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 }, headers: { 'retry-after': '2' } };
    if (failure === 'permanent' || !/^\+\d{6,15}$/.test(p.To ?? ''))
      return { status: 400, body: { code: 21211, message: `The 'To' number ${p.To} is not a valid phone number.`, status: 400 } };
    if (!p.From) return { status: 400, body: { code: 21603, message: "A 'From' phone number is required.", status: 400 } };
    const isCall = (req.url ?? '').endsWith('/Calls.json');
    if (isCall && !p.Twiml && !p.Url) return { status: 400, body: { code: 21205, message: 'Url parameter is required.', status: 400 } };
    if (!isCall && !p.Body) return { status: 400, body: { code: 21602, message: 'Message body is required.', status: 400 } };
    const sid = (isCall ? 'CA' : 'SM') + randomBytes(16).toString('hex');
    return { status: 201, body: { sid, account_sid: this.accountSid, to: p.To, from: p.From, status: 'queued' } };
  }
}

export type { RecordedRequest };
