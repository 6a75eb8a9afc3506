import { writeGateOf } from '../store/write-gate.js';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from 'mongodb';

/**
 * Personal action links: `<publicUrl>/l/<token>`, one per recipient and message, that let that
 * person claim or resolve the alert from an SMS, an email or a direct message without logging in.
 *
 * The token is `<payload>.<mac>`: the payload names the alert, the member and the expiry; the mac
 * is HMAC-SHA256 over it with `notify.linkSecret` (first 16 bytes, base64url). Nothing is stored
 * when a link is made; using one inserts its mac as an `_id` into `linkuses`, so a link works once
 * (atomic on MongoDB and FerretDB alike, across processes).
 */
export interface LinkClaims {
  alertId: string;
  memberId: string;
  expiresAt: Date;
}

export type LinkCheck = ({ ok: true } & LinkClaims & { useId: string }) | { ok: false; reason: 'invalid' | 'expired'; claims?: LinkClaims };

const b64u = (b: Buffer): string => b.toString('base64url');

export class ActionLinks {
  private readonly key: Buffer;

  constructor(
    secret: string,
    readonly publicUrl: string,
    readonly ttlMs: number,
  ) {
    // A distinct key per purpose: the link secret may be reused elsewhere by a careless config.
    this.key = createHash('sha256').update(`dutybot action link\0${secret}`).digest();
  }

  /** The token for one member and alert; `nonce` makes each message's link distinct (the outbox row's id). */
  token(alertId: string, memberId: string, now: Date, nonce: string): string {
    const exp = Math.floor((now.getTime() + this.ttlMs) / 1000).toString(36);
    const n = createHash('sha256').update(nonce).digest().subarray(0, 6);
    const payload = b64u(Buffer.from(`${alertId}|${memberId}|${exp}|${b64u(n)}`, 'utf8'));
    return `${payload}.${this.mac(payload)}`;
  }

  url(alertId: string, memberId: string, now: Date, nonce: string): string {
    return `${this.publicUrl.replace(/\/+$/, '')}/l/${this.token(alertId, memberId, now, nonce)}`;
  }

  check(token: string, now: Date): LinkCheck {
    const m = /^([A-Za-z0-9_-]{8,400})\.([A-Za-z0-9_-]{22})$/.exec(token);
    if (!m) return { ok: false, reason: 'invalid' };
    const [, payload, mac] = m as unknown as [string, string, string];
    const want = Buffer.from(this.mac(payload));
    if (!timingSafeEqual(want, Buffer.from(mac))) return { ok: false, reason: 'invalid' };
    const parts = Buffer.from(payload, 'base64url').toString('utf8').split('|');
    if (parts.length !== 4) return { ok: false, reason: 'invalid' };
    const [alertId, memberId, exp] = parts as [string, string, string];
    const claims = { alertId, memberId, expiresAt: new Date(parseInt(exp, 36) * 1000) };
    if (!(claims.expiresAt.getTime() > now.getTime())) return { ok: false, reason: 'expired', claims };
    return { ok: true, ...claims, useId: mac };
  }

  private mac(payload: string): string {
    return b64u(createHmac('sha256', this.key).update(payload).digest().subarray(0, 16));
  }
}

/** Which links were used: `_id` = the link's mac. The first insert wins; every later use is refused. */
export class LinkUses {
  constructor(private readonly db: Db) {}

  async first(useId: string, use: { alertId: string; memberId: string; action: string; at: Date }): Promise<boolean> {
    try {
      await this.db.collection<{ _id: string }>('linkuses').insertOne({ _id: useId, ...use });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  /** Gives a use back when its action changed nothing (someone else was quicker). */
  async release(useId: string): Promise<void> {
    await this.db.collection<{ _id: string }>('linkuses').deleteOne({ _id: useId });
  }

  async get(useId: string): Promise<{ action: string; at: Date } | null> {
    return this.db.collection<{ _id: string; action: string; at: Date }>('linkuses').findOne({ _id: useId });
  }

  /** Uses older than every link's lifetime can go (retention). */
  async prune(before: Date): Promise<number> {
    return writeGateOf(this.db).deleteMatching(this.db.collection('linkuses'), { at: { $lt: before } });
  }
}
