import express, { Router } from 'express';
import { z } from 'zod';
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

export interface LinkRequestOptions {
  trustProxy: boolean;
  directMessage?: DirectMessage;
}

const SAME_ANSWER = {
  ok: true,
  message: 'if this member exists and a chat platform can reach them, a sign-in link is on its way by direct message',
};

/**
 * `POST /console/api/sign-in-link {"member": "zhang"}`: a member asks for a sign-in link by chat.
 *
 * The answer is the same whether the member exists or not, and comes before anything is sent, so
 * neither its words nor its timing tell who is a member. Limits (per requested name and per
 * address) keep it from being used to flood someone's DMs or to probe at speed.
 *
 * The link goes straight to the chat adapter, not through the outbox: it is a secret (a row in
 * `outbox`/`outboxlog` would keep it readable for the retention period) and it dies in 15 minutes,
 * so a retry later is worth less than a person asking again.
 *
 * It is built on `notify.publicUrl`, never on the request's Host header: otherwise anyone could
 * have a member sent a genuine link pointing at the attacker's host.
 */
export function linkRequestApi(rt: Runtime, auth: ConsoleAuth, opts: LinkRequestOptions): Router {
  const router = Router();
  const perMember = new RateLimit(rt.clock, 3, WINDOW_MS);
  const perAddress = new RateLimit(rt.clock, 10, WINDOW_MS);

  router.post('/console/api/sign-in-link', express.json({ limit: '2kb' }), (req, res) => {
    checkOrigin(req, opts.trustProxy);
    const { member: name } = parseWith(body, req.body ?? {});
    const base = rt.config.notify.publicUrl?.replace(/\/+$/, '');
    if (!base || !opts.directMessage) {
      throw new HttpError(409, 'sign-in links by chat need notify.publicUrl and a chat platform; ask an admin for a link', 'not_configured');
    }
    if (!perAddress.take(req.ip ?? 'unknown') || !perMember.take(name.toLowerCase())) {
      res.set('Retry-After', String(WINDOW_MS / 1000));
      throw new HttpError(429, 'too many sign-in requests; try again later', 'rate_limited');
    }
    res.status(202).json(SAME_ANSWER);
    const member = rt.directory.member(name);
    if (member) void send(rt, auth, opts.directMessage, member, base);
  });
  return router;
}

async function send(rt: Runtime, auth: ConsoleAuth, dm: DirectMessage, member: Member, base: string): Promise<void> {
  try {
    const token = await auth.issueLink({ role: 'member', memberId: member.id });
    const link = `${base}/sign-in#t=${token}`;
    const text =
      rt.config.locale === 'zh'
        ? `dutybot 控制台登录链接（15 分钟内有效，只能使用一次）：\n${link}\n如果不是你本人申请的，请忽略此消息。`
        : `Your dutybot console sign-in link (works once, for 15 minutes):\n${link}\nIf you did not ask for it, ignore this message.`;
    const sent = await dm(member, text);
    // The link itself is never logged.
    rt.log.info({ member: member.id, sent }, sent ? 'console sign-in link sent by direct message' : 'console sign-in link asked for, but no chat platform can reach the member');
  } catch (err) {
    rt.log.warn({ member: member.id, err: (err as Error).message }, 'console sign-in link could not be sent');
  }
}
