import { timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import { applyAction } from '../actions/apply.js';
import type { Actor } from '../core/types.js';
import { aliyunVoiceReportPath } from '../notify/build-channels.js';
import type { LinkUses } from '../notify/links.js';
import { isTtsOutId } from '../notify/providers/aliyun.js';
import type { IvrOutIds } from '../notify/providers/aliyun-ivr.js';
import type { Runtime } from '../runtime.js';
import type { OutboxStore } from '../store/outbox.js';

export interface AliyunVoiceReportOptions {
  /** `notify.voice.reportToken` and/or `notify.voice.ivr.reportToken`: the secret last part of the URL given to Aliyun's console. */
  reportTokens: string[];
  /** Reads interactive calls' OutIds; absent without `ivr` (or `notify.linkSecret`): no key press claims. */
  outIds?: IvrOutIds;
  outbox: Pick<OutboxStore, 'rowByRef'>;
  uses: LinkUses;
}

/** What dutybot reads of one call receipt (VoiceReport / VoiceCallReport, HTTP batch push). */
interface CallReport {
  call_id?: unknown;
  out_id?: unknown;
  dtmf?: unknown;
  status_code?: unknown;
  status_msg?: unknown;
  duration?: unknown;
}

/**
 * `POST /notify/aliyun/voice-report/<reportToken>`: Aliyun's HTTP batch push of call receipts
 * (a JSON array). Two kinds of OutId come back:
 * - a plain TTS call's (`t…`, src/notify/providers/aliyun.ts): the receipt is matched to its
 *   outbox row and the call's outcome goes on the alert's timeline, once per call id;
 * - an interactive call's (signed, src/notify/providers/aliyun-ivr.ts): keys pressed (`dtmf`)
 *   starting with 1 claim the alert it names, as the member it names, through the one action
 *   path, so every card updates; a call id claims once (Aliyun may push a receipt twice).
 * Aliyun signs nothing, so the route trusts a receipt only when the URL's token matches (and, to
 * claim, the OutId's MAC is ours). Answers `{code: 0}` as Aliyun expects; a database outage
 * answers 503 so Aliyun pushes the batch again (after 1, 5 and 10 minutes).
 */
export function aliyunVoiceReportRoutes(rt: Runtime, o: AliyunVoiceReportOptions): Router {
  const router = Router();
  const wanted = o.reportTokens.map((t) => Buffer.from(t));
  router.post(aliyunVoiceReportPath(':token'), express.json({ limit: '512kb' }), async (req, res) => {
    const got = Buffer.from(String(req.params.token));
    if (!wanted.some((want) => got.length === want.length && timingSafeEqual(got, want))) {
      res.status(403).json({ code: 403, msg: 'unknown report URL' });
      return;
    }
    const body: unknown = req.body;
    if (!Array.isArray(body)) {
      res.status(400).json({ code: 400, msg: 'expected a JSON array of call receipts' });
      return;
    }
    let claimed = 0;
    let matched = 0;
    for (const item of body as CallReport[]) {
      if (!item || typeof item !== 'object' || typeof item.call_id !== 'string' || !item.call_id) continue;
      if (isTtsOutId(item.out_id)) {
        if (await noteCallOutcome(rt, o, item as CallReport & { call_id: string; out_id: string })) matched += 1;
        continue;
      }
      if (!o.outIds || typeof item.dtmf !== 'string' || !item.dtmf.startsWith('1')) continue;
      const who = o.outIds.read(item.out_id, rt.directory.config.members);
      if (!who) {
        rt.log.warn({ callId: item.call_id }, 'Aliyun call receipt with an OutId that is not ours: ignored');
        continue;
      }
      const at = rt.clock.now();
      if (!(await o.uses.first(`aliyun-ivr:${item.call_id}`, { alertId: String(who.shortId), memberId: who.member.id, action: 'claim', at }))) continue;
      const actor: Actor = { kind: 'member', memberId: who.member.id, name: who.member.name, via: 'voice' };
      const r = await applyAction(rt, String(who.shortId), { kind: 'claim' }, actor);
      if (r.ok) claimed += 1;
      else rt.log.info({ callId: item.call_id, shortId: who.shortId, reason: r.reason }, 'pressed 1 on an Aliyun call: nothing to claim');
    }
    res.json({ code: 0, msg: '接收成功', claimed, matched });
  });
  return router;
}

/**
 * A plain call's receipt on its alert's timeline, next to the row's own receipt (`voice call to
 * 张三 via aliyun (escalation level 2 of 3): call receipt 200000 用户听完挂机, 30 s, call 1160…`).
 * False when the OutId is not one of our rows', or this call's receipt was noted already.
 */
async function noteCallOutcome(rt: Runtime, o: AliyunVoiceReportOptions, item: CallReport & { call_id: string; out_id: string }): Promise<boolean> {
  const row = await o.outbox.rowByRef(item.out_id);
  if (!row) {
    rt.log.warn({ callId: item.call_id }, 'Aliyun call receipt for a call that is not ours: ignored');
    return false;
  }
  const at = rt.clock.now();
  if (!(await o.uses.first(`aliyun-receipt:${item.call_id}`, { alertId: row.alertId, memberId: row.memberId ?? '', action: 'receipt', at }))) return false;
  const who = row.memberId ? (rt.directory.member(row.memberId)?.name ?? row.memberId) : '?';
  const outcome = [`call receipt ${words(item.status_code, 20)} ${words(item.status_msg, 60)}`.trim(), item.duration ? `${words(item.duration, 10)} s` : '', `call ${words(item.call_id, 60)}`];
  const text = `voice call to ${who} via aliyun (${row.reason}): ${outcome.filter(Boolean).join(', ')}`.slice(0, 500);
  await rt.alerts.addTimeline([{ alertId: row.alertId, at, kind: 'delivery', actor: { kind: 'system', name: 'dutybot', via: 'voice' }, text }]);
  return true;
}

/** A receipt's value as a short line (it is Aliyun's text, pushed to a URL anyone holding the token can call). */
function words(v: unknown, max: number): string {
  return (typeof v === 'string' || typeof v === 'number' ? String(v) : '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, max);
}
