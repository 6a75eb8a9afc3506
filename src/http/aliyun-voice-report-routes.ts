import { timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import { applyAction } from '../actions/apply.js';
import type { Actor } from '../core/types.js';
import { aliyunVoiceReportPath } from '../notify/build-channels.js';
import type { LinkUses } from '../notify/links.js';
import type { IvrOutIds } from '../notify/providers/aliyun-ivr.js';
import type { Runtime } from '../runtime.js';

export interface AliyunVoiceReportOptions {
  /** `notify.voice.ivr.reportToken`: the secret last part of the URL given to Aliyun's console. */
  reportToken: string;
  outIds: IvrOutIds;
  uses: LinkUses;
}

/** What dutybot reads of one call receipt (VoiceReport / VoiceCallReport, HTTP batch push). */
interface CallReport {
  call_id?: unknown;
  out_id?: unknown;
  dtmf?: unknown;
}

/**
 * `POST /notify/aliyun/voice-report/<reportToken>`: Aliyun's HTTP batch push of call receipts
 * (a JSON array). A receipt whose keys pressed (`dtmf`) start with 1 claims the alert its OutId
 * names, as the member it names (src/notify/providers/aliyun-ivr.ts), through the one action path,
 * so every card updates. Aliyun signs nothing, so the route trusts a receipt only when the URL's
 * token matches and the OutId's MAC is ours; a call id claims once (Aliyun may push a receipt
 * twice). Answers `{code: 0}` as Aliyun expects; a database outage answers 503 so Aliyun pushes
 * the batch again (after 1, 5 and 10 minutes).
 */
export function aliyunVoiceReportRoutes(rt: Runtime, o: AliyunVoiceReportOptions): Router {
  const router = Router();
  const want = Buffer.from(o.reportToken);
  router.post(aliyunVoiceReportPath(':token'), express.json({ limit: '512kb' }), async (req, res) => {
    const got = Buffer.from(String(req.params.token));
    if (got.length !== want.length || !timingSafeEqual(got, want)) {
      res.status(403).json({ code: 403, msg: 'unknown report URL' });
      return;
    }
    const body: unknown = req.body;
    if (!Array.isArray(body)) {
      res.status(400).json({ code: 400, msg: 'expected a JSON array of call receipts' });
      return;
    }
    let claimed = 0;
    for (const item of body as CallReport[]) {
      if (!item || typeof item !== 'object' || typeof item.dtmf !== 'string' || !item.dtmf.startsWith('1')) continue;
      if (typeof item.call_id !== 'string' || !item.call_id) continue;
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
    res.json({ code: 0, msg: '接收成功', claimed });
  });
  return router;
}
