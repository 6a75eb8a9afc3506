import express, { Router, type Response } from 'express';
import { applyAction } from '../actions/apply.js';
import type { Alert } from '../core/alert.js';
import type { Actor } from '../core/types.js';
import { texts } from '../bot/i18n.js';
import type { ActionLinks, LinkUses } from '../notify/links.js';
import { twilioGatherPath } from '../notify/build-channels.js';
import { twilioSignatureValid } from '../notify/providers/twilio.js';
import type { Runtime } from '../runtime.js';

export interface LinkRouteOptions {
  links: ActionLinks;
  uses: LinkUses;
  /** Verifies Twilio's <Gather> callbacks (X-Twilio-Signature) when voice goes through Twilio. */
  twilioAuthToken?: string;
}

type Kind = 'claim' | 'resolve';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small bilingual page: Chinese first, English under it. */
function page(res: Response, status: number, zh: string, en: string, body = ''): void {
  res
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-robots-tag': 'noindex',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    })
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
        `<title>dutybot</title></head><body style="font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em">` +
        `<h2>${esc(zh)}</h2><p>${esc(en)}</p>${body}</body></html>`,
    );
}

function alertBlock(a: Alert): string {
  const zh = texts('zh');
  const en = texts('en');
  const owner = a.owner ? ` · ${esc(a.owner.name)}` : '';
  return (
    `<p><b>#${a.shortId} ${esc(a.title || zh.untitled)}</b></p>` +
    `<p>${esc(zh.severity[a.severity])} / ${esc(en.severity[a.severity])} · ${esc(zh.state[a.state])} / ${esc(en.state[a.state])}${owner}</p>`
  );
}

/**
 * Personal action links (`/l/<token>`, see src/notify/links.ts). GET only shows the alert and a
 * button: mail scanners and chat previews fetch links, so nothing ever happens on GET. POST
 * performs the claim or resolve as the link's member through the one action path, so every card
 * updates; a link works once (its use is an `_id` insert), and an expired, forged or used link
 * gets a page that says so and changes nothing.
 */
export function linkRoutes(rt: Runtime, o: LinkRouteOptions): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  router.get('/l/:token', async (req, res) => {
    const c = o.links.check(req.params.token, rt.clock.now());
    if (!c.ok) return refuse(res, c.reason);
    const used = await o.uses.get(c.useId);
    if (used) return usedPage(res);
    const alert = await rt.alerts.get(c.alertId);
    if (!alert) return page(res, 404, '告警不存在', 'This alert does not exist.');
    const member = rt.directory.member(c.memberId);
    if (!member) return page(res, 403, '此链接的成员已不在配置中', 'The member of this link is no longer configured.');
    const buttons: string[] = [];
    if (alert.state === 'triggered') buttons.push(button('claim', '认领 / Claim'));
    if (alert.state !== 'resolved') buttons.push(button('resolve', '关闭 / Resolve'));
    const body =
      alertBlock(alert) +
      (buttons.length
        ? `<form method="post">${buttons.join(' ')}</form><p style="color:#666">以 ${esc(member.name)} 的身份操作，链接仅可使用一次。<br>Acting as ${esc(member.name)}; the link works once.</p>`
        : '<p>无需操作。 / Nothing to do.</p>');
    page(res, 200, `你好，${member.name}`, `Hello, ${member.name}`, body);
  });

  router.post('/l/:token', form, async (req, res) => {
    const kind = (req.body as { action?: unknown } | undefined)?.action;
    if (kind !== 'claim' && kind !== 'resolve') return page(res, 400, '请选择“认领”或“关闭”', 'Choose claim or resolve.');
    const r = await act(req.params.token, kind, 'link');
    page(res, r.status, r.zh, r.en, r.alert ? alertBlock(r.alert) : '');
  });

  if (o.twilioAuthToken) {
    const token = o.twilioAuthToken;
    router.post(twilioGatherPath(':token'), form, async (req, res) => {
      const params = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      const url = `${o.links.publicUrl.replace(/\/+$/, '')}${req.originalUrl}`;
      if (!twilioSignatureValid(token, url, params, req.get('x-twilio-signature'))) {
        res.status(403).type('text/plain').send('bad X-Twilio-Signature');
        return;
      }
      const say = (zh: string, en: string): void =>
        void res
          .type('text/xml')
          .send(`<Response><Say language="cmn-CN">${esc(zh)}</Say><Say language="en-US">${esc(en)}</Say></Response>`);
      if (params.Digits !== '1') return say('未认领。', 'Not claimed.');
      const r = await act(req.params.token as string, 'claim', 'voice');
      say(r.zh, r.en);
    });
  }

  /** The one way a link acts: check it, take its single use, apply the action as its member. */
  async function act(t: string, kind: Kind, via: string): Promise<{ status: number; zh: string; en: string; alert?: Alert }> {
    const now = rt.clock.now();
    const c = o.links.check(t, now);
    if (!c.ok) return c.reason === 'expired' ? EXPIRED : INVALID;
    const member = rt.directory.member(c.memberId);
    if (!member) return { status: 403, zh: '此链接的成员已不在配置中', en: 'The member of this link is no longer configured.' };
    if (!(await o.uses.first(c.useId, { alertId: c.alertId, memberId: member.id, action: kind, at: now }))) return USED;
    const actor: Actor = { kind: 'member', memberId: member.id, name: member.name, via };
    const r = await applyAction(rt, c.alertId, { kind }, actor);
    if (r.ok) {
      return kind === 'claim'
        ? { status: 200, zh: `已认领 #${r.alert.shortId}`, en: `Claimed #${r.alert.shortId}.`, alert: r.alert }
        : { status: 200, zh: `已关闭 #${r.alert.shortId}`, en: `Resolved #${r.alert.shortId}.`, alert: r.alert };
    }
    // Nothing changed (someone was quicker): the link is given back, so it can still resolve later.
    await o.uses.release(c.useId);
    return { status: r.status, zh: `未执行：${r.reason}`, en: `Nothing changed: ${r.reason}`, alert: r.alert };
  }

  return router;
}

const INVALID = { status: 404, zh: '链接无效', en: 'This link is not valid.' };
const EXPIRED = { status: 410, zh: '链接已过期，未做任何更改', en: 'This link has expired; nothing was changed.' };
const USED = { status: 410, zh: '链接已使用过，未做任何更改', en: 'This link was already used; nothing was changed.' };

function refuse(res: Response, reason: 'invalid' | 'expired'): void {
  const r = reason === 'expired' ? EXPIRED : INVALID;
  page(res, r.status, r.zh, r.en);
}

function usedPage(res: Response): void {
  page(res, USED.status, USED.zh, USED.en);
}

function button(action: Kind, label: string): string {
  return `<button name="action" value="${action}" style="font-size:1.2em;padding:.5em 1.2em">${esc(label)}</button>`;
}
