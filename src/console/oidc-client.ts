import { createHash, createPublicKey, constants, randomBytes, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { ConsoleOidc } from '../config/schema.js';

/**
 * The relying party's half of OpenID Connect's authorization code flow, with PKCE, state and
 * nonce, over node's own crypto: discovery, the authorization URL, the code exchange, and the ID
 * token's signature checked against the issuer's JWKS. Kept small on purpose (no dependency in the
 * sign-in path); it is tested against a real provider library (oidc-provider) in
 * test/e2e/console-oidc.test.ts.
 */

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
}

/** What the browser keeps between leaving for the provider and coming back (in a cookie). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
}

export class OidcError extends Error {}

const HTTP_TIMEOUT_MS = 10_000;
/** The provider's clock and ours may differ a little; tokens live minutes, not seconds. */
const SKEW_S = 300;
const DISCOVERY_TTL_MS = 3_600_000;

const b64url = (b: Buffer): string => b.toString('base64url');
const noSlash = (u: string): string => u.replace(/\/+$/, '');

/** JWS algorithms we accept, as node's verify() spells them. `none` and HMAC are refused. */
const ALGS: Record<string, { hash: string | null; pss?: boolean; ec?: boolean }> = {
  RS256: { hash: 'sha256' }, RS384: { hash: 'sha384' }, RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', pss: true }, PS384: { hash: 'sha384', pss: true }, PS512: { hash: 'sha512', pss: true },
  ES256: { hash: 'sha256', ec: true }, ES384: { hash: 'sha384', ec: true }, ES512: { hash: 'sha512', ec: true },
  EdDSA: { hash: null },
};

export class OidcClient {
  private discovery?: { doc: Discovery; at: number };
  private jwks = new Map<string, { jwk: JsonWebKey & { kid?: string; alg?: string; use?: string }; key: KeyObject }>();

  constructor(readonly cfg: ConsoleOidc) {}

  /** Where to send the browser, and what it must bring back. */
  async start(redirectUri: string): Promise<{ url: string; pending: PendingSignIn }> {
    const d = await this.discover();
    const pending = { state: b64url(randomBytes(32)), nonce: b64url(randomBytes(32)), verifier: b64url(randomBytes(32)) };
    const url = new URL(d.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.cfg.clientId,
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: b64url(createHash('sha256').update(pending.verifier).digest()),
      code_challenge_method: 'S256',
    }).toString();
    return { url: url.toString(), pending };
  }

  /**
   * Exchanges the code and returns the verified ID token's claims. A claim the ID token does not
   * carry (many providers put `email` only in userinfo) is read from the userinfo endpoint, whose
   * `sub` must be the ID token's (OpenID Connect Core 5.3.2).
   */
  async finish(code: string, redirectUri: string, pending: PendingSignIn, claim: string): Promise<Record<string, unknown>> {
    const d = await this.discover();
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: pending.verifier });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const methods = d.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    if (methods.includes('client_secret_basic')) {
      // RFC 6749 2.3.1: both halves are form-encoded before the Basic encoding.
      const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+');
      headers.authorization = `Basic ${Buffer.from(`${enc(this.cfg.clientId)}:${enc(this.cfg.clientSecret)}`).toString('base64')}`;
    } else {
      body.set('client_id', this.cfg.clientId);
      body.set('client_secret', this.cfg.clientSecret);
    }
    const res = await fetch(d.token_endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    const tokens = (await res.json().catch(() => ({}))) as { id_token?: string; access_token?: string; error?: string; error_description?: string };
    if (!res.ok || typeof tokens.id_token !== 'string') throw new OidcError(`token endpoint answered ${res.status}: ${tokens.error ?? ''} ${tokens.error_description ?? ''}`.trim());
    const claims = await this.verifyIdToken(tokens.id_token, d, pending.nonce);
    if (claims[claim] !== undefined || !d.userinfo_endpoint || typeof tokens.access_token !== 'string') return claims;
    const info = await fetch(d.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' }, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    if (!info.ok) throw new OidcError(`userinfo answered ${info.status}`);
    const more = (await info.json()) as Record<string, unknown>;
    if (more.sub !== claims.sub) throw new OidcError('userinfo speaks of another subject than the ID token');
    return { ...more, ...claims };
  }

  private async verifyIdToken(jwt: string, d: Discovery, nonce: string): Promise<Record<string, unknown>> {
    const parts = jwt.split('.');
    if (parts.length !== 3) throw new OidcError('the ID token is not a signed JWT');
    const [h, p, s] = parts as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string; kid?: string };
    const alg = ALGS[header.alg ?? ''];
    if (!alg) throw new OidcError(`ID token signed with ${header.alg ?? 'nothing'}, which is not accepted`);
    const key = await this.keyFor(d, header.kid, header.alg!);
    const ok = verify(alg.hash, Buffer.from(`${h}.${p}`), {
      key,
      ...(alg.pss ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : {}),
      ...(alg.ec ? { dsaEncoding: 'ieee-p1363' as const } : {}),
    }, Buffer.from(s, 'base64url'));
    if (!ok) throw new OidcError('the ID token’s signature does not verify with the issuer’s keys');

    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    // The token's times are the provider's wall clock, not dutybot's (injected) one.
    const now = Date.now() / 1000;
    if (claims.iss !== d.issuer) throw new OidcError(`the ID token's issuer is ${String(claims.iss)}, not ${d.issuer}`);
    if (!aud.includes(this.cfg.clientId)) throw new OidcError('the ID token is not for this client');
    if (aud.length > 1 && claims.azp !== this.cfg.clientId) throw new OidcError('the ID token was issued to another party (azp)');
    if (typeof claims.exp !== 'number' || claims.exp + SKEW_S < now) throw new OidcError('the ID token has expired');
    if (typeof claims.iat === 'number' && claims.iat - SKEW_S > now) throw new OidcError('the ID token is issued in the future');
    if (claims.nonce !== nonce) throw new OidcError('the ID token’s nonce is not this sign-in’s');
    return claims;
  }

  /** The signing key named by `kid`; an unknown one re-reads the JWKS once (the provider rotated its keys). */
  private async keyFor(d: Discovery, kid: string | undefined, alg: string): Promise<KeyObject> {
    const pick = (): KeyObject | undefined => {
      const usable = [...this.jwks.values()].filter((k) => k.jwk.use !== 'enc' && (!k.jwk.alg || k.jwk.alg === alg));
      return (kid ? usable.find((k) => k.jwk.kid === kid) : usable.length === 1 ? usable[0] : undefined)?.key;
    };
    let key = pick();
    if (!key) {
      const set = (await this.getJson(d.jwks_uri)) as { keys?: (JsonWebKey & { kid?: string })[] };
      this.jwks.clear();
      for (const [i, jwk] of (set.keys ?? []).entries()) {
        try {
          this.jwks.set(jwk.kid ?? String(i), { jwk, key: createPublicKey({ key: jwk, format: 'jwk' }) });
        } catch {
          // A key of a type node cannot read is one we cannot verify with: skip it.
        }
      }
      key = pick();
    }
    if (!key) throw new OidcError(`no signing key ${kid ?? ''} in the issuer's JWKS`);
    return key;
  }

  private async discover(): Promise<Discovery> {
    if (this.discovery && Date.now() - this.discovery.at < DISCOVERY_TTL_MS) return this.discovery.doc;
    const doc = (await this.getJson(`${noSlash(this.cfg.issuer)}/.well-known/openid-configuration`)) as Discovery;
    // OpenID Connect Discovery 4.3: the document must name the very issuer we asked.
    if (noSlash(String(doc.issuer)) !== noSlash(this.cfg.issuer)) throw new OidcError(`the discovery document names issuer ${String(doc.issuer)}, not ${this.cfg.issuer}`);
    for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      if (typeof doc[k] !== 'string') throw new OidcError(`the discovery document has no ${k}`);
    }
    this.discovery = { doc, at: Date.now() };
    return doc;
  }

  private async getJson(url: string): Promise<unknown> {
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    if (!res.ok) throw new OidcError(`${url} answered ${res.status}`);
    return res.json();
  }
}
