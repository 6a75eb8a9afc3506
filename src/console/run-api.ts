import express, { Router } from 'express';
import { z } from 'zod';
import { runLabel } from '../bot/render-runs.js';
import { HttpError } from '../http/errors.js';
import type { RemediationActions, RunRequestOutcome } from '../notify/webhooks/remediation.js';
import type { Runtime } from '../runtime.js';
import { parseWith } from '../sources/validate.js';
import { mayAct } from './alert-api.js';
import { viewerOf } from './security.js';

const body = z.strictObject({ action: z.string().min(1).max(64), confirmed: z.boolean().optional() });

const REFUSED: Record<Extract<RunRequestOutcome, { ok: false }>['reason'], number> = {
  'unknown-action': 404,
  'not-found': 404,
  'not-allowed': 403,
  'no-match': 409,
  resolved: 409,
  running: 409,
};

/**
 * Remediation actions from the console: the same `RemediationActions.request` as a card's button
 * and `run`, with `via: 'console'` (confirmation, approvals, one run at a time, the timeline note).
 * The console asks its own confirmation on the form, so a request it sends `confirmed` is final.
 */
export function consoleRunApi(rt: Runtime, actions: RemediationActions): Router {
  const router = Router();

  router.get('/console/api/alerts/:ref/actions', async (req, res) => {
    const alert = await rt.alerts.get(req.params.ref as string);
    if (!alert) throw new HttpError(404, `no alert ${req.params.ref}`, 'not_found');
    const viewer = viewerOf(res);
    const member = viewer.memberId ? rt.directory.member(viewer.memberId) : undefined;
    res.json({
      actions: actions.forAlert(alert).map((a) => ({
        name: a.name,
        label: { en: runLabel(a, alert, 'en'), zh: runLabel(a, alert, 'zh') },
        confirm: a.confirm,
        approval: a.approval,
        approvedBy: alert.remediation?.pending?.find((p) => p.action === a.name)?.by.map((b) => b.name) ?? [],
        mayRun: !!member && actions.mayRun(a, member),
      })),
      last: alert.remediation?.last ?? null,
    });
  });

  router.post('/console/api/alerts/:ref/run', express.json({ limit: '2kb' }), async (req, res) => {
    const { action, confirmed } = parseWith(body, req.body ?? {});
    const viewer = viewerOf(res);
    const member = viewer.memberId ? rt.directory.member(viewer.memberId) : undefined;
    if (!member) throw new HttpError(403, 'remediation actions are run by members: sign in with a member’s link', 'forbidden');
    const alert = await rt.alerts.get(req.params.ref as string);
    if (alert && !mayAct(viewer, alert)) throw new HttpError(403, `${viewer.name} is not in team "${alert.team}" of alert #${alert.shortId}`, 'forbidden');
    const r = await actions.request(action, req.params.ref as string, member, 'console', { confirmed });
    if (r.ok === false) {
      const who = r.reason === 'not-allowed' && r.action ? ` (allowed: ${[...r.action.members, ...r.action.teams.map((t) => `team ${t}`)].join(', ') || 'nobody'})` : '';
      const running = r.reason === 'running' && r.by ? ` (started by ${r.by})` : '';
      throw new HttpError(REFUSED[r.reason], `${r.reason.replace('-', ' ')}: ${action}${who}${running}`, r.reason);
    }
    if (r.ok === 'confirm') throw new HttpError(409, `"${action}" asks for a confirmation: tick "confirm" and run it again`, 'confirm', 'confirmed');
    if (r.ok === 'approval') return void res.status(202).json({ approval: { by: r.pending.by.map((b) => b.name), needed: r.pending.needed }, already: r.already });
    res.json({ ran: { status: r.status ?? null, excerpt: r.excerpt, error: r.error ?? null, line: r.line } });
  });

  return router;
}
