import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/store/provision.js';
import { FakeSmtp, type ReceivedMail } from '../fakes/smtp-server.js';
import { startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage } from '../support/browser.js';
import { tokenOf } from '../support/console.js';
import { eventually } from '../support/wait.js';

describe('a member asks the console for a sign-in link and gets it by email', () => {
  let smtp: FakeSmtp;
  let bot: TestBot;
  let browser: Browser;
  const logLines: string[] = [];

  beforeAll(async () => {
    smtp = await new FakeSmtp().start();
    // The link is built on notify.publicUrl: the bot listens on the port it names.
    const port = await freePort();
    const input = testConfigInput();
    input.notify = { publicUrl: `http://127.0.0.1:${port}`, email: { smtpUrl: smtp.url, from: 'dutybot <dutybot@example.com>' } };
    input.members = input.members!.map((m) => ({ ...m, email: `${m.id}@example.com` }));
    input.members.push({ id: 'zhao', name: '赵六', email: 'zhao@example.com' });
    // 王五's team reads English; 王五 has no chat identity at all: email is the only way to reach him.
    input.teams = [...input.teams!.slice(0, 1), { ...input.teams![1]!, locale: 'en', members: ['wang', 'zhao'] }];
    const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    [bot, browser] = await Promise.all([startTestBot({ config: testConfig(input), port, log }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
    await smtp?.close();
  });

  const ask = async (member: string) => {
    const r = await fetch(`${bot.url}/console/api/sign-in-link`, { method: 'POST', headers: { 'content-type': 'application/json', origin: bot.url }, body: JSON.stringify({ member }) });
    return { status: r.status, body: await r.json() };
  };
  const mailsTo = (address: string): ReceivedMail[] => smtp.mails.filter((m) => m.to.includes(address));
  const linkIn = (mail: ReceivedMail): string => /http:\/\/\S+\/sign-in#t=\S+/.exec(mail.text)![0];

  it('typed as an email address on the front page, the link arrives by mail in the member’s language and signs in once', async () => {
    const p = await openPage(browser);
    await p.page.goto(`${bot.url}/`);
    await p.page.locator('input[name="member"]').fill('Zhang@Example.com');
    await p.page.locator('button', { hasText: 'Send me a link' }).click();
    await p.page.locator('p.status', { hasText: 'If that member exists and chat or email can reach them, a sign-in link is on its way.' }).waitFor();

    const mail = await eventually(() => mailsTo('zhang@example.com')[0], 10_000, 'the mail to 张三');
    expect(mail.subject).toBe('dutybot 控制台登录链接');
    expect(mail.text).toContain('15 分钟内有效，只能使用一次');
    expect(mail.header('from')).toContain('dutybot@example.com');
    const link = linkIn(mail);
    expect(link.startsWith(`${bot.url}/sign-in#t=`)).toBe(true);

    await p.page.goto(link);
    await p.page.waitForURL(`${bot.url}/`);
    await p.page.locator('#who', { hasText: '张三' }).waitFor();
    // The front page's own 401 (who am I, before signing in) is the only complaint.
    expect(p.errors.filter((e) => !e.includes('401 (Unauthorized)'))).toEqual([]);

    const again = await openPage(browser);
    await again.page.goto(link);
    await again.page.locator('h1', { hasText: 'This sign-in link did not work' }).waitFor();
    // The token is in no log line.
    expect(logLines.some((l) => l.includes(tokenOf(link)))).toBe(false);
    expect(logLines.some((l) => l.includes('console sign-in link sent') && l.includes('"email":true'))).toBe(true);
    await Promise.all([p.close(), again.close()]);
  });

  it('a member no chat can reach, asking by member id, gets it by mail in English (their team’s language)', async () => {
    expect((await ask('wang')).status).toBe(202);
    const mail = await eventually(() => mailsTo('wang@example.com')[0], 10_000, 'the mail to 王五');
    expect(mail.subject).toBe('Your dutybot console sign-in link');
    expect(mail.text).toMatch(/^Your dutybot console sign-in link \(works once, for 15 minutes\):/);
    const session = await fetch(`${bot.url}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: bot.url }, body: JSON.stringify({ token: tokenOf(linkIn(mail)) }) });
    expect((await session.json()).viewer).toMatchObject({ role: 'member', memberId: 'wang' });
  });

  it('an unknown address gets the same answer and no mail is sent', async () => {
    const before = smtp.mails.length;
    const stranger = await ask('nobody@example.com');
    const member = await ask('li@example.com');
    expect(stranger).toEqual(member);
    expect(stranger.status).toBe(202);
    await eventually(() => mailsTo('li@example.com')[0], 10_000, 'the mail to 李四');
    expect(smtp.mails.length).toBe(before + 1);
    expect(mailsTo('nobody@example.com')).toEqual([]);
  });

  it('the limits hold: 429 for a name asked too often, and at most 3 mails to one member however they are named', async () => {
    bot.clock.advance(15 * 60_000);
    for (let i = 0; i < 3; i++) expect((await ask('zhao')).status).toBe(202);
    expect((await ask('zhao')).status).toBe(429);
    // Another name for the same member is answered as ever, but sends nothing more.
    expect((await ask('zhao@example.com')).status).toBe(202);
    await eventually(() => mailsTo('zhao@example.com').length === 3, 10_000, 'three mails to 赵六');
    await eventually(() => logLines.some((l) => l.includes('asked for too often')), 10_000, 'the limit logged');
    expect(mailsTo('zhao@example.com')).toHaveLength(3);

    bot.clock.advance(15 * 60_000);
    expect((await ask('zhao@example.com')).status).toBe(202);
    await eventually(() => mailsTo('zhao@example.com').length === 4, 10_000, 'a fourth mail once the window has passed');
  });
});
