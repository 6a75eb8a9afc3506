import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import { FakeSlackApi, type FakeSlackMessage } from '../fakes/slack-api.js';
import { blockActionsBody, FORM, signedSlackRequest, slashCommandBody } from '../fakes/slack-signing.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

const SECRET = 'slack-signing-secret-for-tests';
const OPS = 'C0OPS';
const OPS2 = 'C0OPS2';
const ZHANG = 'U0ZHANG';
const LI = 'U0LI';

function alertmanager(alerts: Array<{ name: string; fp: string; status?: 'firing' | 'resolved'; instance?: string }>) {
  return {
    version: '4',
    groupKey: '{}:{alertname="x"}',
    status: 'firing',
    receiver: 'dutybot',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com:9093',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: { alertname: a.name, severity: 'critical', instance: a.instance ?? 'web-1:9100' },
      annotations: { summary: `${a.name} on ${a.instance ?? 'web-1'}` },
      startsAt: '2026-11-27T08:59:00Z',
      endsAt: a.status === 'resolved' ? '2026-11-27T09:10:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.com/graph',
      fingerprint: a.fp,
    })),
  };
}

/** What a person sees on the card now: its whole JSON, searchable for a name or a state. */
const shown = (m: FakeSlackMessage | undefined): string => JSON.stringify(m ?? {});

describe('Slack: alerts become cards that people act on, and every copy stays in sync', () => {
  let slack: FakeSlackApi;
  let bot: TestBot;
  const click = (userId: string, channel: string, messageTs: string, actionId: string, alertId: string, selected?: string) =>
    signedSlackRequest(
      `${bot.url}/slack/events`,
      SECRET,
      blockActionsBody({
        userId,
        channel,
        messageTs,
        actionId: `dutybot:${actionId}`,
        value: selected ? undefined : alertId,
        blockId: `dutybot:${alertId}`,
        selectedOption: selected ? { value: selected } : undefined,
        responseUrl: slack.responseUrl(),
      }),
      FORM,
    );
  const ephemeralFor = (user: string) => slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.user === user);

  beforeAll(async () => {
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.teams![0]!.channels = [
      { platform: 'slack', channel: OPS },
      { platform: 'slack', channel: OPS2 },
    ];
    const adapter = new SlackAdapter({ botToken: 'xoxb-test-token', signingSecret: SECRET, apiUrl: slack.apiUrl, log });
    bot = await startTestBot({ config: testConfig(input), adapters: [adapter] });
  });
  afterAll(async () => {
    await bot.stop();
    await slack.close();
  });
  beforeEach(() => slack.reset());

  it('an Alertmanager alert → a card in both channels → a claim in one shows the owner on both', async () => {
    const res = await bot.post('/api/v1/webhooks/alertmanager', alertmanager([{ name: 'NginxDown', fp: 'fp-nginx' }]), KEYS.alertmanager);
    expect(res.status).toBe(202);
    const { results } = (await res.json()) as { results: Array<{ alertId: string; shortId: number }> };
    const alertId = results[0]!.alertId;
    await bot.flushCards();
    const posts = slack.callsTo('chat.postMessage');
    expect(posts.map((p) => p.args.channel).sort()).toEqual([OPS, OPS2]);
    const ts = (ch: string) => String(posts.find((p) => p.args.channel === ch)!.response.ts);
    expect(shown(slack.message(OPS, ts(OPS)))).toContain('NginxDown');
    expect(shown(slack.message(OPS, ts(OPS)))).toContain('认领');

    const claimed = bot.nextEvent('claimed');
    expect((await click(ZHANG, OPS, ts(OPS), 'claim', alertId)).status).toBe(200);
    const ev = await claimed;
    expect(ev.entry.actor).toMatchObject({ memberId: 'zhang', name: '张三', via: 'slack', channel: OPS });
    await bot.flushCards();
    for (const ch of [OPS, OPS2]) {
      const card = shown(slack.message(ch, ts(ch)));
      expect(card).toContain('张三');
      expect(card).toContain('已认领');
      expect(card).not.toContain('dutybot:claim');
    }

    // A second, stale click: a private answer, nothing changes.
    const before = slack.callsTo('chat.update').length;
    expect((await click(LI, OPS2, ts(OPS2), 'claim', alertId)).status).toBe(200);
    const refusal = await ephemeralFor(LI);
    expect(String(refusal.args.text)).toMatch(/已被 张三 于 \d\d:\d\d 认领/);
    await bot.flushCards();
    expect(slack.callsTo('chat.update').length).toBe(before);

    // Someone dutybot does not know can read but not act.
    expect((await click('U0STRANGER', OPS, ts(OPS), 'resolve', alertId)).status).toBe(200);
    const polite = await ephemeralFor('U0STRANGER');
    expect(String(polite.args.text)).toContain('members[].slack');
    expect((await bot.runtime.alerts.get(alertId))!.state).toBe('acknowledged');

    // The source recovers: both cards show it resolved.
    const resolved = bot.nextEvent('resolved');
    await bot.post('/api/v1/webhooks/alertmanager', alertmanager([{ name: 'NginxDown', fp: 'fp-nginx', status: 'resolved' }]), KEYS.alertmanager);
    await resolved;
    await bot.flushCards();
    for (const ch of [OPS, OPS2]) {
      const card = shown(slack.message(ch, ts(ch)));
      expect(card).toContain('已关闭');
      expect(card).not.toContain('dutybot:resolve');
    }
  });

  it('reassign and mute from the card; the mute ends by itself', async () => {
    const res = await bot.post('/api/v1/webhooks/alertmanager', alertmanager([{ name: 'DiskFull', fp: 'fp-disk' }]), KEYS.alertmanager);
    const alertId = ((await res.json()) as { results: Array<{ alertId: string }> }).results[0]!.alertId;
    await bot.flushCards();
    const ts = String(slack.callsTo('chat.postMessage').find((p) => p.args.channel === OPS)!.response.ts);

    const reassigned = bot.nextEvent('reassigned');
    await click(ZHANG, OPS, ts, 'reassign', alertId, 'li');
    await reassigned;
    const muted = bot.nextEvent('muted');
    await click(ZHANG, OPS, ts, 'mute', alertId, String(30 * 60_000));
    await muted;
    await bot.flushCards();
    const card = shown(slack.message(OPS, ts));
    expect(card).toContain('李四');
    expect(card).toContain('dutybot:unmute');
    const alert = (await bot.runtime.alerts.get(alertId))!;
    expect(alert.mutedUntil!.getTime() - bot.clock.now().getTime()).toBeGreaterThan(29 * 60_000);

    const { unmuteIfCurrent } = await import('../../src/jobs/unmute.js');
    bot.clock.advance(30 * 60_000);
    expect(await unmuteIfCurrent(bot.runtime, { alertId, until: alert.mutedUntil!.toISOString() })).toBe(true);
    // The same job run twice (Agenda re-runs a job whose lock expired) does nothing more.
    expect(await unmuteIfCurrent(bot.runtime, { alertId, until: alert.mutedUntil!.toISOString() })).toBe(false);
    await bot.flushCards();
    expect(shown(slack.message(OPS, ts))).toContain('dutybot:mute');
  });

  it('/readyz reports the Slack adapter', async () => {
    const ready = (await (await bot.get('/readyz')).json()) as { checks: Array<{ name: string; ok: boolean }> };
    expect(ready.checks).toContainEqual(expect.objectContaining({ name: 'slack', ok: true }));
  });

  it('/alert list mine, and a command typed in Chinese', async () => {
    const res = await bot.post('/api/v1/webhooks/alertmanager', alertmanager([{ name: 'MySQLSlow', fp: 'fp-mysql' }]), KEYS.alertmanager);
    const { shortId } = ((await res.json()) as { results: Array<{ shortId: number }> }).results[0]!;
    const command = (text: string, user = ZHANG) =>
      signedSlackRequest(`${bot.url}/slack/events`, SECRET, slashCommandBody({ userId: user, channel: OPS, text, responseUrl: slack.responseUrl() }), FORM);

    const claimed = bot.nextEvent('claimed');
    expect((await command(`认领 ${shortId}`)).status).toBe(200);
    await claimed;
    const confirmation = await slack.waitFor((c) => c.method === 'chat.postMessage' && String(c.args.text).includes(`已认领 #${shortId}`));
    expect(confirmation.args.channel).toBe(OPS);

    await command('list mine');
    const list = await ephemeralFor(ZHANG);
    expect(String(list.args.text)).toContain(`#${shortId} MySQLSlow`);

    await command('claim');
    const usage = await slack.waitFor((c) => c.method === 'chat.postEphemeral' && String(c.args.text).includes('claim'));
    expect(String(usage.args.text)).toMatch(/用法|usage/);
  });

  it('a burst of 100 repeats makes a few card edits, not 100', async () => {
    const body = alertmanager([{ name: 'Flapping', fp: 'fp-flap' }]);
    await bot.post('/api/v1/webhooks/alertmanager', body, KEYS.alertmanager);
    await bot.flushCards();
    slack.reset();
    await Promise.all(Array.from({ length: 100 }, () => bot.post('/api/v1/webhooks/alertmanager', body, KEYS.alertmanager)));
    await bot.flushCards();
    const edits = slack.callsTo('chat.update').filter((c) => c.args.channel === OPS);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.length).toBeLessThanOrEqual(5);
    expect(JSON.stringify(edits.at(-1)!.args)).toContain('101');
  });

  it('a storm under 429s: every card arrives in order, and the overflow folds into one summary card', async () => {
    slack.rateLimit('chat.postMessage', 3, 2);
    const alerts = Array.from({ length: 40 }, (_, i) => ({ name: `HostDown${i}`, fp: `fp-storm-${i}`, instance: `host-${i % 5}:9100` }));
    const res = await bot.post('/api/v1/webhooks/alertmanager', alertmanager(alerts), KEYS.alertmanager);
    const shortIds = ((await res.json()) as { results: Array<{ shortId: number }> }).results.map((r) => r.shortId);
    await bot.flushCards();

    const posted = (slack.messages.get(OPS) ?? []).map((m) => String(m.text));
    const cardIds = posted.flatMap((t) => (/^\S+ #(\d+) HostDown/.exec(t) ? [Number(/#(\d+)/.exec(t)![1])] : []));
    expect(cardIds).toEqual(shortIds.slice(0, cardIds.length)); // in order, none skipped
    expect(cardIds.length).toBe(10);
    const summary = posted.find((t) => t.includes('还有'));
    expect(summary).toContain('还有 30 条告警');
    expect(summary).toContain('5 台主机');
    // The 429s were waited out (Retry-After), not dropped.
    expect(slack.callsTo('chat.postMessage').filter((c) => c.status === 429).length).toBe(3);

    // The summary is kept up to date as its alerts resolve.
    const resolved = alerts.slice(20).map((a) => ({ ...a, status: 'resolved' as const }));
    await bot.post('/api/v1/webhooks/alertmanager', alertmanager(resolved), KEYS.alertmanager);
    await bot.flushCards();
    const summaryNow = (slack.messages.get(OPS) ?? []).find((m) => String(m.text).includes('还有'));
    expect(String(summaryNow!.text)).toContain('还有 10 条告警');
  });
});
