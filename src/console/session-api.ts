import express, { Router } from 'express';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { parseWith } from '../sources/validate.js';
import type { ConsoleAuth } from './auth.js';
import { SESSION_TTL_MS } from './auth.js';
import { checkOrigin, clearSessionCookie, isHttps, requireViewer, setSessionCookie, viewerOf } from './security.js';

const signInBody = z.strictObject({ token: z.string().min(20).max(200) });
const linkBody = z.strictObject({ member: z.string().min(1).max(200) });

/** Sign-in by link, who am I, sign-out, and an admin making a link for a member. */
export function consoleSessionApi(
  auth: ConsoleAuth,
  opts: { trustProxy: boolean; linkUrl: (req: express.Request, token: string) => string; memberExists: (id: string) => boolean; signedOut: (sessionId: string) => void },
): Router {
  const router = Router();
  const json = express.json({ limit: '4kb' });

  // The page at /sign-in posts the token from its URL's fragment: a chat app unfurling the link
  // (fetching it without running scripts) cannot use it up before the person clicks it.
  router.post('/console/api/session', json, async (req, res) => {
    checkOrigin(req, opts.trustProxy);
    const { token } = parseWith(signInBody, req.body ?? {});
    const r = await auth.redeem(token);
    if (!r) throw new HttpError(401, 'this sign-in link is unknown, used or expired: ask for a new one', 'auth');
    setSessionCookie(res, r.cookie, SESSION_TTL_MS, isHttps(req, opts.trustProxy));
    res.json({ viewer: r.viewer });
  });

  router.use('/console/api', requireViewer(auth, opts.trustProxy));

  router.get('/console/api/me', (_req, res) => void res.json({ viewer: viewerOf(res) }));

  router.post('/console/api/sign-out', async (req, res) => {
    await auth.signOut(res.locals.cookie as string);
    // Its open live streams end too: a signed-out browser hears nothing more.
    opts.signedOut(res.locals.sessionId as string);
    clearSessionCookie(res, isHttps(req, opts.trustProxy));
    res.json({ ok: true });
  });

  router.post('/console/api/sign-in-links', json, async (req, res) => {
    if (viewerOf(res).role !== 'admin') throw new HttpError(403, 'only an admin may make sign-in links for others', 'forbidden');
    const { member } = parseWith(linkBody, req.body ?? {});
    if (!opts.memberExists(member)) throw new HttpError(400, `unknown member "${member}"`, 'invalid', 'member');
    const token = await auth.issueLink({ role: 'member', memberId: member });
    res.json({ url: opts.linkUrl(req, token) });
  });

  return router;
}
