import express, { Router } from 'express';
import { z } from 'zod';
import type { Locale } from '../bot/card.js';
import type { Member } from '../config/schema.js';
import { HttpError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { parseWith } from '../sources/validate.js';
import type { ConsoleAuth } from './auth.js';
import { RateLimit } from './rate-limit.js';
import { checkOrigin } from './security.js';

const WINDOW_MS = 15 * 60_000;
const body = z.strictObject({ member: z.string().trim().min(1).max(200) });

/** Sends a text to a member by direct chat message; false when no chat platform can reach them. */
export type DirectMessage = (member: Member, text: string) => Promise<boolean>;
/** Sends a mail to a member's `email` (the paging SMTP channel); false when it did not go. */
export type PersonalEmail = (member: Member, mail: { subject: string; text: string }) => Promise<boolean>;

export interface LinkRequestOptions {
  trustProxy: boolean;
  directMessage?: DirectMessage;
  /** Present when SMTP is set up (notify.email.smtpUrl or SMTP_URL). */
  email?: PersonalEmail;
}

const SAME_ANSWER = {
  ok: true,
  message: 'if this member exists and can be reached by chat or email, a sign-in link is on its way',
};

/**
 * `POST /console/api/sign-in-link {"member": "zhang" | "zhang@example.com"}`: a member asks for a
 * sign-in link, sent by direct chat message and by email (whichever of the two reach them).
 *
 * The answer is the same whether the member exists or not, and comes before the member is even
 * looked up, so neither its words nor its timing tell who is a member. Limits keep it from being
 * used to flood someone or to probe at speed: per address and per name typed, answered 429 (they do
 * not depend on who exists); and per member, whichever name or address was typed, silent (a 429
 * there would say the name is a member's).
 *
 * The link goes straight to the chat adapter and the SMTP server, not through the outbox: it is a
 * secret (a row in `outbox`/`outboxlog` would keep it readable for the retention period) and it
 * dies in 15 minutes, so a retry later is worth less than a person asking again.
 *
 * It is built on `notify.publicUrl`, never on the request's Host header: otherwise anyone could
 * have a member sent a genuine link pointing at the attacker's host.
 */
export function linkRequestApi(rt: Runtime, auth: ConsoleAuth, opts: LinkRequestOptions): Router {
  const router = Router();
  const perName = new RateLimit(rt.clock, 3, WINDOW_MS);
  const perMember = new RateLimit(rt.clock, 3, WINDOW_MS);
  const perAddress = new RateLimit(rt.clock, 10, WINDOW_MS);

  router.post('/console/api/sign-in-link', express.json({ limit: '2kb' }), (req, res) => {
    checkOrigin(req, opts.trustProxy);
    const { member: name } = parseWith(body, req.body ?? {});
    const base = rt.config.notify.publicUrl?.replace(/\/+$/, '');
    if (!base || (!opts.directMessage && !opts.email)) {
      throw new HttpError(409, 'sign-in links need notify.publicUrl and a chat platform or SMTP; ask an admin for a link', 'not_configured');
    }
    if (!perAddress.take(req.ip ?? 'unknown') || !perName.take(name.toLowerCase())) {
      res.set('Retry-After', String(WINDOW_MS / 1000));
      throw new HttpError(429, 'too many sign-in requests; try again later', 'rate_limited');
    }
    res.status(202).json(SAME_ANSWER);
    // Member ids cannot hold an `@` (the config's id rule): one typed is an email address.
    const member = name.includes('@') ? rt.directory.memberByEmail(name) : rt.directory.member(name);
    if (!member) return;
    if (!perMember.take(member.id)) return void rt.log.info({ member: member.id }, 'console sign-in link asked for too often; none sent');
    void send(rt, auth, opts, member, base);
  });
  return router;
}

/** The link's message in the member's language; the chat's and the mail's text are the same. */
function signInLinkMessage(locale: Locale, link: string): { subject: string; text: string } {
  return locale === 'zh'
    ? { subject: 'dutybot 控制台登录链接', text: `dutybot 控制台登录链接（15 分钟内有效，只能使用一次）：\n${link}\n如果不是你本人申请的，请忽略此消息。` }
    : { subject: 'Your dutybot console sign-in link', text: `Your dutybot console sign-in link (works once, for 15 minutes):\n${link}\nIf you did not ask for it, ignore this message.` };
}

async function send(rt: Runtime, auth: ConsoleAuth, opts: LinkRequestOptions, member: Member, base: string): Promise<void> {
  try {
    // One link, however many ways it travels: whichever copy is opened first uses it up.
    const token = await auth.issueLink({ role: 'member', memberId: member.id });
    const message = signInLinkMessage(rt.directory.localeOf(member), `${base}/sign-in#t=${token}`);
    const [dm, mail] = await Promise.all([
      opts.directMessage ? opts.directMessage(member, message.text).catch((err: unknown) => failed(rt, member, 'direct message', err)) : false,
      opts.email && member.email ? opts.email(member, message).catch((err: unknown) => failed(rt, member, 'email', err)) : false,
    ]);
    // The link itself is never logged.
    if (dm || mail) rt.log.info({ member: member.id, dm, email: mail }, 'console sign-in link sent');
    else rt.log.info({ member: member.id }, 'console sign-in link asked for, but neither chat nor email reached the member');
  } catch (err) {
    rt.log.warn({ member: member.id, err: (err as Error).message }, 'console sign-in link could not be sent');
  }
}

/** One way failing leaves the other going; only the reason is logged, never the message (it holds the link). */
function failed(rt: Runtime, member: Member, way: string, err: unknown): false {
  rt.log.warn({ member: member.id, err: (err as Error)?.message ?? String(err) }, `console sign-in link: the ${way} did not go`);
  return false;
}
