import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewOutboxMessage } from '../../src/notify/message.js';
import { FakeAliyun } from '../fakes/aliyun-api.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

const REPORT_TOKEN = 'aliyun-report-token-0123456789';

/**
 * Plain Aliyun voice calls (SingleCallByTts) page with an OutId Aliyun accepts (1 to 15 bytes,
 * whatever the length of the outbox row's id), and the call's receipt, pushed by Aliyun to the URL
 * set in its console, is matched to the row: its outcome goes on the alert's timeline.
 */
describe('Aliyun voice: a short OutId, and the receipt of a plain call matched to its row', () => {
  const aliyun = new FakeAliyun();
  let bot: TestBot;
  let n = 0;

  /** An SMS page with no SMS provider set up: it fails for good and falls back to a voice call. */
  async function callAfterSms(): Promise<{ alertId: string; rowId: string; callId: string; outId: string }> {
    n += 1;
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `tts-${n}`, title: `Disk full on db-${n}`, severity: 'critical' }, KEYS.api);
    const { alertId } = (await res.json()) as { alertId: string };
    const sms: NewOutboxMessage = { _id: `esc:${alertId}:5f1c2e9b1d8c:1:2:0:zhang:sms`, alertId, method: 'sms', memberId: 'zhang', fallback: ['voice'], reason: 'escalation level 2 of 3', level: 2, cycle: 1 };
    await bot.notify.outbox.enqueue([sms], bot.clock.now());
    await bot.notify.sender.runOnce();
    await bot.notify.sender.runOnce();
    await bot.notify.sender.settled();
    const rowId = `${sms._id}>voice`;
    const row = await bot.notify.outbox.find(rowId);
    expect(row).toMatchObject({ state: 'sent', provider: 'aliyun' });
    const call = aliyun.calls('SingleCallByTts').at(-1)!;
    return { alertId, rowId, callId: row!.receipt!, outId: call.OutId! };
  }
  const reportUrl = (token = REPORT_TOKEN) => `${bot.url}/notify/aliyun/voice-report/${token}`;
  const receiptsOnTimeline = async (alertId: string) =>
    (await bot.runtime.alerts.timeline(alertId)).filter((e) => e.kind === 'delivery' && String(e.text).includes('call receipt')).map((e) => e.text);

  beforeAll(async () => {
    await aliyun.start();
    const input = testConfigInput();
    input.members![0] = { ...input.members![0]!, phone: '+8613800000001' };
    input.notify = {
      voice: {
        provider: 'aliyun',
        accessKeyId: aliyun.accessKeyId,
        accessKeySecret: aliyun.accessKeySecret,
        calledShowNumber: '057100000000',
        ttsCode: 'TTS_000001',
        reportToken: REPORT_TOKEN,
        endpoint: aliyun.origin,
      },
    };
    bot = await startTestBot({ config: testConfig(input), outboxIntervalMs: false });
  });
  afterAll(async () => {
    await bot?.stop();
    await aliyun.close();
  });

  it('a fallback row (an id of 60 bytes and more) calls with an OutId of at most 15 bytes', async () => {
    const { rowId, outId } = await callAfterSms();
    expect(Buffer.byteLength(rowId)).toBeGreaterThan(60);
    expect(Buffer.byteLength(outId)).toBeLessThanOrEqual(15);
    for (const call of aliyun.calls('SingleCallByTts')) expect(Buffer.byteLength(call.OutId!)).toBeLessThanOrEqual(15);
  });

  it("the call's receipt is matched to its outbox row: the outcome goes on the alert's timeline, once", async () => {
    const { alertId, callId } = await callAfterSms();
    const res = await aliyun.pushVoiceReport(callId, '', reportUrl());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ code: 0, matched: 1, claimed: 0 });
    expect(await receiptsOnTimeline(alertId)).toEqual([`voice call to 张三 via aliyun (escalation level 2 of 3): call receipt 200000 用户听完挂机, 30 s, call ${callId}`]);
    // Aliyun may push the same receipt again: noted once.
    expect(await (await aliyun.pushVoiceReport(callId, '', reportUrl())).json()).toMatchObject({ code: 0, matched: 0 });
    expect(await receiptsOnTimeline(alertId)).toHaveLength(1);
  });

  it('a plain call takes no key: pressing 1 claims nothing; an unknown OutId or a wrong URL matches nothing', async () => {
    const { alertId, callId } = await callAfterSms();
    expect(await (await aliyun.pushVoiceReport(callId, '1', reportUrl())).json()).toMatchObject({ code: 0, matched: 1, claimed: 0 });
    expect(await bot.runtime.alerts.get(alertId)).toMatchObject({ state: 'triggered' });
    const post = (body: unknown) => fetch(reportUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await (await post([{ call_id: 'x^1', out_id: 't00000000000000', status_code: '200000' }])).json()).toMatchObject({ code: 0, matched: 0 });
    expect((await aliyun.pushVoiceReport(callId, '', reportUrl('x'.repeat(REPORT_TOKEN.length)))).status).toBe(403);
    expect(await receiptsOnTimeline(alertId)).toHaveLength(1);
  });
});
