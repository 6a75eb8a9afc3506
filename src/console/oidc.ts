import { Router, type Request, type Response } from 'express';
import type { Runtime } from '../runtime.js';
import type { ConsoleAuth } from './auth.js';
import { SESSION_TTL_MS } from './auth.js';
import { OidcClient, type PendingSignIn } from './oidc-client.js';
import { isHttps, readCookie, setSessionCookie } from './security.js';

const FLOW_COOKIE = 'dutybot_oidc';
const FLOW_PATH = '/console/oidc';
const FLOW_TTL_MS = 10 * 60_000;

/** Why a sign-in was refused: the sign-in page explains each (web/sign-in.js). */
export type OidcRefusal = 'unknown-member' | 'no-claim' | 'expired' | 'denied' | 'failed';

/**
 * Sign-in with the company's OpenID Connect provider (`console.oidc`): `/console/oidc/start`
 * sends the browser there, `/console/oidc/callback` brings it back with a code, which becomes a
 * console session when the ID token's claim (`email` by default) is a member's email.
 */
export function consoleOidcApi(rt: Runtime, auth: ConsoleAuth, opts: { trustProxy: boolean; baseOf: (req: Request) => string }): Router {
  const router = Router();
  const cfg = rt.config.console.oidc;
  // Whether the front page offers the button; asked before anyone is signed in.
  router.get('/console/api/sign-in-options', (_req, res) => void res.json({ oidc: !!cfg }));
  if (!cfg) return router;
  const client = new OidcClient(cfg);
  const redirectUri = (req: Request): string => `${opts.baseOf(req)}${FLOW_PATH}/callback`;
  const admins = new Set(cfg.admins);

  // state, nonce and PKCE verifier stay in this browser only: a cookie for the callback's path.
  // SameSite=Lax, not Strict: the provider's redirect back is a cross-site top-level GET.
  const keep = (req: Request, res: Response, pending: PendingSignIn | null): void => {
    const o = { httpOnly: true, sameSite: 'lax' as const, secure: isHttps(req, opts.trustProxy), path: FLOW_PATH };
    if (pending) res.cookie(FLOW_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), { ...o, maxAge: FLOW_TTL_MS });
    else res.clearCookie(FLOW_COOKIE, o);
  };
  const refuse = (res: Response, why: OidcRefusal, who?: string): void => {
    const q = new URLSearchParams({ oidc: why, ...(who ? { who } : {}) });
    res.redirect(303, `/sign-in?${q.toString()}`);
  };

  router.get(`${FLOW_PATH}/start`, async (req, res) => {
    try {
      const { url, pending } = await client.start(redirectUri(req));
      keep(req, res, pending);
      res.redirect(303, url);
    } catch (err) {
      rt.log.warn({ err: (err as Error).message }, 'console: OpenID Connect sign-in could not start');
      refuse(res, 'failed');
    }
  });

  router.get(`${FLOW_PATH}/callback`, async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const pending = pendingOf(readCookie(req, FLOW_COOKIE));
    keep(req, res, null);
    // A state that is not this browser's own is a forged or replayed answer (login CSRF).
    if (!pending || typeof q.state !== 'string' || q.state !== pending.state) return refuse(res, 'expired');
    if (typeof q.error === 'string') return refuse(res, 'denied');
    if (typeof q.code !== 'string') return refuse(res, 'failed');
    let claims: Record<string, unknown>;
    try {
      claims = await client.finish(q.code, redirectUri(req), pending, cfg.claim);
    } catch (err) {
      rt.log.warn({ err: (err as Error).message }, 'console: OpenID Connect sign-in refused');
      return refuse(res, 'failed');
    }
    const value = claims[cfg.claim];
    if (typeof value !== 'string' || !value) return refuse(res, 'no-claim');
    const member = rt.directory.memberByEmail(value);
    if (!member) {
      rt.log.info({ claim: cfg.claim, value }, 'console: OpenID Connect sign-in of someone who is not a member');
      return refuse(res, 'unknown-member', value);
    }
    const session = await auth.startSession({ role: admins.has(member.id) ? 'admin' : 'member', memberId: member.id });
    if (!session) return refuse(res, 'unknown-member', value);
    setSessionCookie(res, session.cookie, SESSION_TTL_MS, isHttps(req, opts.trustProxy));
    rt.log.info({ member: member.id }, 'console: signed in with OpenID Connect');
    res.redirect(303, '/');
  });

  return router;
}

function pendingOf(raw: string | undefined): PendingSignIn | null {
  if (!raw) return null;
  try {
    const p = JSON.parse(Buffer.from(raw, 'base64url').toString()) as Partial<PendingSignIn>;
    return typeof p.state === 'string' && typeof p.nonce === 'string' && typeof p.verifier === 'string' ? (p as PendingSignIn) : null;
  } catch {
    return null;
  }
}
