import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TLSSocket } from 'node:tls';
import { HttpError } from '../http/errors.js';
import { hashOf, sameSecret, type ConsoleAuth, type Viewer } from './auth.js';

export const COOKIE = 'dutybot_session';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Nothing but dutybot's own files runs or loads: no inline script or style (data can never become
 * code even if a bug put it into the page), no frames, no plugins, no foreign origins at all —
 * which is also what an air-gapped intranet needs.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // Sign-in tokens travel in the URL's fragment, which browsers never send; this covers the rest.
    'Referrer-Policy': 'no-referrer',
  });
  next();
};

/**
 * https as the browser sees it: the socket itself, or (only when the operator says a proxy in
 * front terminates TLS) the proxy's X-Forwarded-Proto. Trusting that header by default would let
 * anyone ask for a cookie without `Secure`.
 */
export function isHttps(req: Request, trustProxy: boolean): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  if (!trustProxy) return false;
  return (req.get('x-forwarded-proto') ?? '').split(',')[0]!.trim().toLowerCase() === 'https';
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export function setSessionCookie(res: Response, value: string, maxAgeMs: number, secure: boolean): void {
  // Strict: another site can neither send requests with it nor open a page signed in; the console's
  // pages are static and read their data with fetch, so following a link from chat still works.
  res.cookie(COOKIE, value, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: maxAgeMs });
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.clearCookie(COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}

/**
 * A state change must come from a page of this very origin: a browser always sends Origin on a
 * cross-site POST, so a foreign or missing Origin (on a browser-made request) is refused.
 */
export function checkOrigin(req: Request, trustProxy: boolean): void {
  const origin = req.get('origin');
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') throw new HttpError(403, `cross-site request refused (${site})`, 'csrf');
  if (!origin) {
    if (site) throw new HttpError(403, 'request without Origin refused', 'csrf');
    return;
  }
  const own = `${isHttps(req, trustProxy) ? 'https' : 'http'}://${req.get('host') ?? ''}`;
  if (origin !== own) throw new HttpError(403, `request from another origin (${origin}) refused`, 'csrf');
}

export const viewerOf = (res: Response): Viewer => res.locals.viewer as Viewer;

/** Every console API call but sign-in: a live session, and for a state change its CSRF token. */
export function requireViewer(auth: ConsoleAuth, trustProxy: boolean): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const cookie = readCookie(req, COOKIE);
    const viewer = cookie ? await auth.viewer(cookie) : null;
    if (!viewer) throw new HttpError(401, 'not signed in: open a sign-in link', 'auth');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      checkOrigin(req, trustProxy);
      const presented = req.get(CSRF_HEADER);
      if (!presented || !sameSecret(presented, viewer.csrf)) throw new HttpError(403, `missing or wrong ${CSRF_HEADER} header`, 'csrf');
    }
    res.locals.viewer = viewer;
    res.locals.cookie = cookie;
    res.locals.sessionId = hashOf(cookie!);
    next();
  };
}
