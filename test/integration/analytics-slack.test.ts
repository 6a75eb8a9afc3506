import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { runWeeklyReport, WEEKLY_REPORT_JOB } from '../../src/jobs/weekly-report.js';
import { log } from '../../src/log.js';
import { FakeSlackApi, type FakeSlackFile } from '../fakes/slack-api.js';
import { blockActionsBody, FORM, signedSlackRequest, slashCommandBody } from '../fakes/slack-signing.js';
import { FakeClock } from '../support/clock.js';
import { KEYS, TOKENS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

const SECRET = 'slack-signing-secret-for-tests';
const OPS = 'C0OPS';
const PNG_SIGNATURE = Buffer.from('89504e470d0a1a0a', 'hex');

/**
 * The weekly report and `stats` on Slack: the chart is uploaded as a file into the team's channel
 * with the figures as its message. The clock is years ahead of the wall, so Agenda never runs a
 * report by itself during the test: the test runs the job, as Agenda does at its time.
 */
describe('Slack: weekly report and stats with their chart', () => {
  let slack: FakeSlackApi;
  let bot: TestBot;
  let noisyShortId = 0;
  let noisyId = '';

  async function trigger(key: string, title: string): Promise<{ alertId: string; shortId: number }> {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: key, title, severity: 'warning' }, KEYS.api);
    return (await res.json()) as { alertId: string; shortId: number };
  }
  const uploadIn = (channel: string, after = 0): Promise<FakeSlackFile> =>
    slack
      .waitFor((c) => c.method === 'files.completeUploadExternal' && c.args.channel_id === channel && c.at >= after, 10_000)
      .then((c) => slack.files.get((JSON.parse(String(c.args.files)) as Array<{ id: string }>)[0]!.id)!);

  beforeAll(async () => {
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.teams![0]!.channels = [{ platform: 'slack', channel: OPS }];
    input.analytics = { weeklyReport: { day: 'mon', at: '09:00' } };
    const adapter = new SlackAdapter({ botToken: 'xoxb-test-token', signingSecret: SECRET, apiUrl: slack.apiUrl, log });
    // Monday 2030-11-25, 10:00 in Shanghai.
    bot = await startTestBot({ config: testConfig(input), adapters: [adapter], jobs: true, clock: new FakeClock('2030-11-25T02:00:00Z') });
    const a = await trigger('db-conn', 'DB connections high');
    bot.clock.advance(4 * 60_000);
    await bot.post(`/api/v1/alerts/${a.alertId}/claim`, {}, TOKENS.zhang);
    bot.clock.advance(20 * 60_000);
    await bot.post(`/api/v1/alerts/${a.alertId}/resolve`, {}, TOKENS.zhang);
    bot.clock.set('2030-11-27T13:00:00Z');
    for (let i = 0; i < 6; i++) {
      const t = await trigger('disk-web-3', 'Disk 91% on web-3');
      noisyShortId = t.shortId;
      noisyId = t.alertId;
    }
    await bot.flushCards();
    await bot.analytics.recorder.settled();
  });
  afterAll(async () => {
    await bot?.stop();
    await slack?.close();
  });

  it('each team has its next report scheduled for Monday 09:00 in its zone', async () => {
    const jobs = await bot.runtime.database.db.collection('agendaJobs').find({ name: WEEKLY_REPORT_JOB }).toArray();
    expect(jobs.map((j) => [(j.data as { team: string }).team, (j.nextRunAt as Date).toISOString()]).sort()).toEqual([
      ['biz', '2030-12-02T01:00:00.000Z'],
      ['ops', '2030-12-02T01:00:00.000Z'],
    ]);
  });

  it('on Monday 09:00 the report of last week lands in the team channel: figures, noisiest, a mute suggestion, the chart', async () => {
    bot.clock.set('2030-12-02T01:00:00Z');
    const started = Date.now();
    await bot.agenda!.now(WEEKLY_REPORT_JOB, { team: 'ops', at: '2030-12-02T01:00:00.000Z' });
    const file = await uploadIn(OPS, started);
    expect(file.uploaded!.includes(PNG_SIGNATURE)).toBe(true);
    expect(file.title).toBe('📅 运维 · 周报 2030-11-25 – 2030-12-01');
    const text = file.initialComment!;
    expect(text).toContain('告警 2 · 已认领 1 · 已解决 1（人工 1 / 来源恢复 0）');
    expect(text).toContain('MTTA 平均 4分钟 · P90 4分钟');
    expect(text).toContain('MTTR 平均 24分钟');
    expect(text).toContain('MTTD 平均 0秒'); // the REST events gave no start: detected on receipt
    expect(text).toContain('MTTD＝问题开始（来源时间）→ 接收 · MTTA＝接收 → 认领');
    expect(text).toContain('1. Disk 91% on web-3（rest）· 1 次告警，6 个事件');
    expect(text).toContain(`· 静默 ${noisyShortId} 1天 — Disk 91% on web-3`);
    // One-click mute: the suggestion carries the card's own mute choice; choosing 1 day mutes it.
    const offer = await slack.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args.blocks ?? []).includes(`dutybot:${noisyId}`));
    const muted = bot.nextEvent('muted');
    await signedSlackRequest(
      `${bot.url}/slack/events`,
      SECRET,
      blockActionsBody({ userId: 'U0ZHANG', channel: OPS, messageTs: String(offer.response.ts), actionId: 'dutybot:mute', blockId: `dutybot:${noisyId}`, selectedOption: { value: String(86_400_000) }, responseUrl: slack.responseUrl() }),
      FORM,
    );
    expect((await muted).alert.mutedUntil?.toISOString()).toBe('2030-12-03T01:00:00.000Z');
    // Agenda's job scheduled the next one.
    await expect
      .poll(async () => (await bot.runtime.database.db.collection('agendaJobs').find({ name: WEEKLY_REPORT_JOB, 'data.team': 'ops' }).toArray()).map((j) => (j.nextRunAt as Date | null)?.toISOString()))
      .toContain('2030-12-09T01:00:00.000Z');
  });

  it('a second run for the same week posts nothing', async () => {
    const deps = { ...bot.runtime, analytics: bot.analytics.service, adapters: new Map(), db: bot.runtime.database.db };
    expect(await runWeeklyReport(deps, 'ops')).toEqual({ kind: 'already-sent' });
  });

  it('stats in a channel answers with the chart; a bad period answers privately with the form', async () => {
    bot.clock.set('2030-11-28T02:00:00Z');
    const started = Date.now();
    const res = await signedSlackRequest(`${bot.url}/slack/events`, SECRET, slashCommandBody({ userId: 'U0ZHANG', channel: OPS, text: 'stats 7d', responseUrl: slack.responseUrl() }), FORM);
    expect(res.status).toBe(200);
    const file = await uploadIn(OPS, started);
    expect(file.title).toBe('📊 运维 · 近7天告警统计');
    expect(file.initialComment).toContain('告警 2 · 已认领 1');
    expect(file.uploaded!.includes(PNG_SIGNATURE)).toBe(true);

    await signedSlackRequest(`${bot.url}/slack/events`, SECRET, slashCommandBody({ userId: 'U0ZHANG', channel: OPS, text: 'stats 14d', responseUrl: slack.responseUrl() }), FORM);
    const answer = await slack.waitFor((c) => c.method === 'chat.postEphemeral' && String(c.args.text).includes('14d'));
    expect(answer.args.text).toBe('无效的统计周期 "14d"，应为 7天 或 30天\n用法：统计 [团队] [7天|30天]（stats [team] [7d|30d]）');
  });
});
