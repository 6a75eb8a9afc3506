import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring chart links: `/charts/<payload>.<signature>.png`. The payload says what to
 * draw (team, period, zone) and until when the link works; the image is rendered when the link
 * is fetched, so any dutybot instance with the same key serves it and nothing is stored.
 * DingTalk and WeCom show markdown images by URL, fetched by their servers without our auth.
 */
export interface ChartRequest {
  team?: string;
  from: Date;
  to: Date;
  timeZone: string;
  /** Link expiry. */
  expires: Date;
}

interface Payload {
  t?: string;
  f: number;
  u: number;
  z: string;
  e: number;
}

export const CHART_PATH = '/charts/';

export class ChartLinks {
  private readonly key: Buffer;

  constructor(
    secret: string | undefined,
    private readonly baseUrl: () => string,
  ) {
    this.key = secret ? Buffer.from(secret) : randomBytes(32);
  }

  url(req: ChartRequest): string {
    const p: Payload = { ...(req.team ? { t: req.team } : {}), f: req.from.getTime(), u: req.to.getTime(), z: req.timeZone, e: req.expires.getTime() };
    const body = Buffer.from(JSON.stringify(p)).toString('base64url');
    return `${this.baseUrl().replace(/\/+$/, '')}${CHART_PATH}${body}.${this.sign(body)}.png`;
  }

  /** The request a link names, or why it is refused. */
  verify(token: string, now: Date): { ok: true; req: ChartRequest } | { ok: false; status: 403 | 404 | 410; error: string } {
    const m = /^([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})(?:\.png)?$/.exec(token);
    if (!m) return { ok: false, status: 404, error: 'no such chart' };
    const [, body, sig] = m as unknown as [string, string, string];
    const expected = Buffer.from(this.sign(body));
    if (!timingSafeEqual(expected, Buffer.from(sig))) return { ok: false, status: 403, error: 'bad chart signature' };
    let p: Payload;
    try {
      p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
    } catch {
      return { ok: false, status: 404, error: 'no such chart' };
    }
    if (p.e <= now.getTime()) return { ok: false, status: 410, error: 'chart link expired' };
    return { ok: true, req: { ...(p.t ? { team: p.t } : {}), from: new Date(p.f), to: new Date(p.u), timeZone: p.z, expires: new Date(p.e) } };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(`chart:${body}`).digest('base64url');
  }
}
