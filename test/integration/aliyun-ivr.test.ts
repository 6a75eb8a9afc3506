import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IvrOutIds } from '../../src/notify/providers/aliyun-ivr.js';
import type { NewOutboxMessage } from '../../src/notify/message.js';
import { FakeAliyun } from '../fakes/aliyun-api.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

const REPORT_TOKEN = 'aliyun-report-token-0123456789';
const LINK_SECRET = 'link-secret-0123456789abcdef';

/**
 * Press 1 to claim on Aliyun: an interactive call (IvrCall) reads the alert; the fake plays the
 * callee and Aliyun's receipt push (VoiceReport with `dtmf`) to the URL set in its console.
 */
describe('Aliyun voice: press 1 to claim', () => {
  const aliyun = new FakeAliyun();
  let bot: TestBot;
  let n = 0;

  async function callFor(memberId: 'zhang' | 'li'): Promise<{ alertId: string; shortId: number; call: Record<string, string> }> {
    n += 1;
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `ivr-${n}`, title: `Nginx 502 on web-${n}`, severity: 'critical' }, KEYS.api);
    const { alertId, shortId } = (await res.json()) as { alertId: string; shortId: number };
    const row: NewOutboxMessage = { _id: `esc:${alertId}:run1:1:1:0:${memberId}:voice`, alertId, method: 'voice', memberId, fallback: [], reason: 'escalation level 1 of 1', level: 1, cycle: 1 };
    await bot.notify.outbox.enqueue([row], bot.clock.now());
    await bot.notify.sender.runOnce();
    await bot.notify.sender.settled();
    const call = aliyun.calls('IvrCall').at(-1)!;
    return { alertId, shortId, call };
  }
  const reportUrl = (token = REPORT_TOKEN) => `${bot.url}/notify/aliyun/voice-report/${token}`;
  /** The CallId Aliyun answered for the call to `memberId` (the row's delivery receipt). */
  const callIdOf = async (alertId: string, memberId: string) => (await bot.notify.outbox.find(`esc:${alertId}:run1:1:1:0:${memberId}:voice`))!.receipt!;

  beforeAll(async () => {
    await aliyun.start();
    const input = testConfigInput();
    input.members![0] = { ...input.members![0]!, phone: '+8613800000001' };
    input.members![1] = { ...input.members![1]!, phone: '13800000002' };
    input.notify = {
      publicUrl: 'https://dutybot.example.com',
      linkSecret: LINK_SECRET,
      voice: {
        provider: 'aliyun',
        accessKeyId: aliyun.accessKeyId,
        accessKeySecret: aliyun.accessKeySecret,
        calledShowNumber: '057100000000',
        ttsCode: 'TTS_000001',
        ivr: { startCode: 'TTS_000002', claimedCode: 'TTS_000003', reportToken: REPORT_TOKEN },
        endpoint: aliyun.origin,
      },
    };
    bot = await startTestBot({ config: testConfig(input), outboxIntervalMs: false });
  });
  afterAll(async () => {
    await bot?.stop();
    await aliyun.close();
  });

  it('the call is an IvrCall with the title, key 1 in its menu and a signed 15-byte OutId', async () => {
    const { shortId, call } = await callFor('zhang');
    expect(call).toMatchObject({
      CalledNumber: '13800000001',
      CalledShowNumber: '057100000000',
      StartCode: 'TTS_000002',
      'MenuKeyMap.1.Key': '1',
      'MenuKeyMap.1.Code': 'TTS_000003',
      PlayTimes: '2',
      Timeout: '8000',
    });
    expect(JSON.parse(call.StartTtsParams!)).toMatchObject({ id: String(shortId), title: expect.stringContaining('Nginx 502') });
    expect(call.OutId).toHaveLength(15);
    expect(new IvrOutIds(LINK_SECRET).read(call.OutId, testConfig().members)).toMatchObject({ shortId, member: { id: 'zhang' } });
    expect(aliyun.calls('SingleCallByTts')).toHaveLength(0);
  });

  it('pressing 1 claims the alert as the member called; the same receipt pushed again changes nothing', async () => {
    const { alertId, call } = await callFor('li');
    const id = await callIdOf(alertId, 'li');
    expect(id).toMatch(/^118720962490\^\d+$/);
    const res = await aliyun.pushVoiceReport(id, '1', reportUrl());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ code: 0, claimed: 1 });
    expect(await bot.runtime.alerts.get(alertId)).toMatchObject({ state: 'acknowledged', owner: { memberId: 'li', name: '李四', via: 'voice' } });
    expect((await bot.runtime.alerts.timeline(alertId)).some((e) => e.kind === 'claimed')).toBe(true);
    expect(await (await aliyun.pushVoiceReport(id, '1', reportUrl())).json()).toMatchObject({ code: 0, claimed: 0 });
    expect(call.OutId).toHaveLength(15);
  });

  it('another key, a wrong report URL, a forged OutId or a body that is not a receipt array claim nothing', async () => {
    const { alertId } = await callFor('zhang');
    const id = await callIdOf(alertId, 'zhang');
    expect(await (await aliyun.pushVoiceReport(id, '2', reportUrl())).json()).toMatchObject({ code: 0, claimed: 0 });
    expect(await (await aliyun.pushVoiceReport(id, '', reportUrl())).json()).toMatchObject({ code: 0, claimed: 0 });
    expect((await aliyun.pushVoiceReport(id, '1', reportUrl('x'.repeat(REPORT_TOKEN.length)))).status).toBe(403);
    const post = (body: unknown) => fetch(reportUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const a = await bot.runtime.alerts.get(alertId);
    // Signed with another secret: the right shape, not ours.
    const forged = new IvrOutIds('another-secret-0123456789').make(a!.shortId, 'zhang');
    expect(await (await post([{ call_id: 'forged^1', out_id: forged, dtmf: '1' }])).json()).toMatchObject({ code: 0, claimed: 0 });
    expect((await post({ call_id: id, dtmf: '1' })).status).toBe(400);
    expect((await post([null, 7, 'x', { dtmf: 1 }])).status).toBe(200);
    expect(await bot.runtime.alerts.get(alertId)).toMatchObject({ state: 'triggered' });
    // The genuine press still works afterwards.
    expect(await (await aliyun.pushVoiceReport(id, '1', reportUrl())).json()).toMatchObject({ code: 0, claimed: 1 });
  });
});
