import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import type { Alert } from '../../src/core/alert.js';
import { log } from '../../src/log.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { blockActionsBody, FORM, signedSlackRequest } from '../fakes/slack-signing.js';
import { KEYS, startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';

const SECRET = 'slack-signing-secret-for-tests';
const OPS = 'C0OPS';
const DBA = 'C0DBA';
const DEV = 'C0DEV';
const ZHAO = 'U0ZHAO';

const mysqlDown = (status: 'firing' | 'resolved' = 'firing') => ({
  version: '4',
  groupKey: '{}:{alertname="MySQLDown"}',
  status,
  receiver: 'dutybot',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager.example.com:9093',
  alerts: [
    {
      status,
      labels: { alertname: 'MySQLDown', severity: 'critical', service: 'mysql', instance: 'db-1:9104' },
      annotations: { summary: 'MySQL is down on db-1' },
      startsAt: '2026-11-27T08:59:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.com/graph',
      fingerprint: 'fp-mysql',
    },
  ],
});
const graylogException = JSON.parse(readFileSync(new URL('../../src/sources/graylog/fixtures/v5-filter.json', import.meta.url), 'utf8')) as unknown;

describe('dispatch: alerts reach the teams and channels their rules name', () => {
  let slack: FakeSlackApi;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.members!.push({ id: 'zhao', name: '赵六', slack: ZHAO, apiToken: 'token-zhao-0123456789' });
    input.teams![0]!.channels = [{ platform: 'slack', channel: OPS }];
    input.teams!.push({ id: 'dev', name: '研发', members: ['zhao'], channels: [{ platform: 'slack', channel: DEV }] });
    input.routes = [
      {
        name: 'critical-databases',
        match: { severityAtLeast: 'critical', labels: ['service=~"mysql|postgres"'] },
        teams: ['ops'],
        channels: [{ platform: 'slack', channel: DBA }],
      },
      { name: 'log-exceptions', match: { source: ['graylog'] }, teams: ['dev'] },
      { name: 'default', teams: ['ops'] },
    ];
    const adapter = new SlackAdapter({ botToken: 'xoxb-test-token', signingSecret: SECRET, apiUrl: slack.apiUrl, log });
    bot = await startTestBot({ config: testConfig(input), adapters: [adapter] });
  });
  afterAll(async () => {
    await bot.stop();
    await slack.close();
  });
  beforeEach(() => slack.reset());

  const alertOf = async (id: string) => ((await (await bot.get(`/api/v1/alerts/${id}`, TOKENS.zhang)).json()) as { alert: Alert }).alert;

  it('a critical mysql alert from Alertmanager reaches the ops channel and the rule’s DBA channel; a repeat keeps its route', async () => {
    const res = await bot.post('/api/v1/webhooks/alertmanager', mysqlDown(), KEYS.alertmanager);
    expect(res.status).toBe(202);
    const alertId = ((await res.json()) as { results: Array<{ alertId: string }> }).results[0]!.alertId;
    await bot.flushCards();
    expect(slack.callsTo('chat.postMessage').map((p) => p.args.channel).sort()).toEqual([DBA, OPS]);
    const alert = await alertOf(alertId);
    expect(alert.team).toBe('ops');
    expect(alert.route).toEqual({ rules: ['critical-databases'], teams: ['ops'], channels: [{ platform: 'slack', channel: DBA }] });

    bot.clock.advance(60_000);
    const again = await bot.post('/api/v1/webhooks/alertmanager', mysqlDown(), KEYS.alertmanager);
    expect(((await again.json()) as { results: Array<{ deduplicated: boolean }> }).results[0]!.deduplicated).toBe(true);
    expect(await alertOf(alertId)).toMatchObject({ count: 2, route: alert.route });
  });

  it('a Graylog log exception reaches the developers, who can claim it from their channel', async () => {
    const res = await bot.post('/api/v1/webhooks/graylog', graylogException, KEYS.graylog);
    expect(res.status).toBe(202);
    const alertId = ((await res.json()) as { results: Array<{ alertId: string }> }).results[0]!.alertId;
    await bot.flushCards();
    const posts = slack.callsTo('chat.postMessage');
    expect(posts.map((p) => p.args.channel)).toEqual([DEV]);
    expect(await alertOf(alertId)).toMatchObject({ team: 'dev', route: { rules: ['log-exceptions'], teams: ['dev'] } });

    const team = (await (await bot.get('/api/v1/alerts?team=dev', TOKENS.zhang)).json()) as { alerts: Alert[] };
    expect(team.alerts.map((a) => a.id)).toEqual([alertId]);

    const claimed = bot.nextEvent('claimed');
    const click = await signedSlackRequest(
      `${bot.url}/slack/events`,
      SECRET,
      blockActionsBody({
        userId: ZHAO,
        channel: DEV,
        messageTs: String(posts[0]!.response.ts),
        actionId: 'dutybot:claim',
        value: alertId,
        blockId: `dutybot:${alertId}`,
        responseUrl: slack.responseUrl(),
      }),
      FORM,
    );
    expect(click.status).toBe(200);
    expect((await claimed).alert.owner).toMatchObject({ memberId: 'zhao', name: '赵六' });
  });

  it('POST /api/v1/routes/test says which rule matched and why, and creates nothing', async () => {
    const before = ((await (await bot.get('/api/v1/alerts', TOKENS.zhang)).json()) as { alerts: Alert[] }).alerts.length;
    const payload = mysqlDown();
    payload.alerts[0]!.fingerprint = 'fp-never-stored';
    const res = await bot.post('/api/v1/routes/test', { integration: 'prometheus', payload }, TOKENS.li);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { integration: string; at: string; events: Array<Record<string, unknown>> };
    expect(body).toMatchObject({ integration: 'prometheus', at: bot.clock.now().toISOString() });
    expect(body.events[0]).toMatchObject({
      title: 'MySQL is down on db-1',
      matchedRules: ['critical-databases'],
      fallback: false,
      team: 'ops',
      teams: ['ops'],
      escalationPolicy: null,
      channels: [
        { platform: 'slack', channel: OPS },
        { platform: 'slack', channel: DBA },
      ],
      rules: [
        { rule: 'critical-databases', reached: true, matched: true },
        { rule: 'log-exceptions', reached: false, matched: false, why: 'not tried: rule critical-databases matched first' },
        { rule: 'default', reached: false },
      ],
    });

    const rest = await bot.post('/api/v1/routes/test', { integration: 'rest', event: { title: 'Order volume dropped', severity: 'info' } }, TOKENS.li);
    const restBody = (await rest.json()) as { events: Array<{ matchedRules: string[]; rules: Array<{ why: string }> }> };
    expect(restBody.events[0]!.matchedRules).toEqual(['default']);
    expect(restBody.events[0]!.rules[0]!.why).toBe(
      'did not match: ✗ severity info is below critical; ✗ service=~"mysql|postgres" does not hold: service is absent',
    );

    const after = ((await (await bot.get('/api/v1/alerts', TOKENS.zhang)).json()) as { alerts: Alert[] }).alerts.length;
    expect(after).toBe(before);
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
  });

  it('the routes test endpoint refuses bad input with a 4xx naming what is wrong', async () => {
    const answer = async (body: unknown, token: string | null = TOKENS.li) => {
      const res = await bot.post('/api/v1/routes/test', body, token ?? undefined);
      return { status: res.status, body: (await res.json()) as { error: string; field?: string } };
    };
    expect((await answer({ integration: 'prometheus', payload: {} }, null)).status).toBe(401);
    expect(await answer({ integration: 'nagios', payload: {} })).toMatchObject({ status: 400, body: { field: 'integration', error: expect.stringContaining('unknown integration "nagios"') } });
    expect(await answer({ integration: 'prometheus' })).toMatchObject({ status: 400, body: { error: expect.stringContaining('send either "payload" or "event"') } });
    expect(await answer({ integration: 'prometheus', payload: { alerts: 'x' } })).toMatchObject({ status: 400 });
    expect(await answer({ integration: 'prometheus', event: { title: 'x' }, at: 'tomorrow' })).toMatchObject({ status: 400, body: { field: 'at' } });
    expect((await answer('{not json')).status).toBe(400);
  });
});
