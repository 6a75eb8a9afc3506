import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { tokenOf } from '../support/console.js';
import { eventually } from '../support/wait.js';

const PUBLIC = 'https://dutybot.example.com';

describe('a member asks the console for a sign-in link and gets it by direct chat message', () => {
  let slack: FakeSlackApi;
  let bot: TestBot;
  beforeAll(async () => {
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.notify = { publicUrl: PUBLIC };
    const adapter = new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
    bot = await startTestBot({ config: testConfig(input), adapters: [adapter] });
  });
  afterAll(async () => {
    await bot?.stop();
    await slack?.close();
  });

  const ask = (member: string, headers: Record<string, string> = {}) =>
    fetch(`${bot.url}/console/api/sign-in-link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: bot.url, ...headers },
      body: JSON.stringify({ member }),
    });
  const dmsTo = (user: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === user).map((c) => String(c.args.text));

  it('the link arrives in the member’s Slack DM, on the public address, and signs them in once', async () => {
    // A forged Host (fetch cannot set one: plain http) must not steer the link elsewhere.
    const status = await new Promise<number>((ok, fail) => {
      const body = JSON.stringify({ member: 'zhang' });
      const req = request(`${bot.url}/console/api/sign-in-link`, { method: 'POST', headers: { host: 'evil.example', origin: 'http://evil.example', 'content-type': 'application/json' } }, (res) => {
        res.resume();
        ok(res.statusCode!);
      });
      req.on('error', fail);
      req.end(body);
    });
    expect(status).toBe(202);
    const text = await eventually(() => dmsTo('U0ZHANG').find((t) => t.includes('/sign-in#t=')), 10_000, 'the DM');
    expect(text).toContain('dutybot 控制台登录链接');
    const link = /https:\/\/\S+/.exec(text)![0];
    expect(link.startsWith(`${PUBLIC}/sign-in#t=`)).toBe(true);
    const redeem = () =>
      fetch(`${bot.url}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: bot.url }, body: JSON.stringify({ token: tokenOf(link) }) });
    const first = await redeem();
    expect((await first.json()).viewer).toMatchObject({ role: 'member', memberId: 'zhang', name: '张三' });
    expect((await redeem()).status).toBe(401);
  });

  it('the answer is the same for a member, a stranger and a member no chat can reach', async () => {
    const answers = await Promise.all(['li', 'nobody-here', 'wang'].map(async (m) => {
      const r = await ask(m);
      return [r.status, await r.json()];
    }));
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    await eventually(() => dmsTo('U0LI').length > 0, 10_000, 'li’s DM');
  });

  it('asking too often for one name is refused 429 until the window has passed', async () => {
    for (let i = 0; i < 3; i++) expect((await ask('nobody-else')).status).toBe(202);
    const limited = await ask('nobody-else');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('900');
    bot.clock.advance(15 * 60_000);
    expect((await ask('nobody-else')).status).toBe(202);
  });

  it('bad input is a clear 400, and a request from another site is refused', async () => {
    const empty = await ask('   ');
    expect(empty.status).toBe(400);
    const foreign = await ask('zhang', { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
  });
});
