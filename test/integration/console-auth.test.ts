import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, KEYS, type TestBot } from '../support/bot.js';
import { hashOf } from '../../src/console/auth.js';
import { consoleCall, signIn, tokenOf } from '../support/console.js';

describe('the web console: sign-in by link, sessions, CSRF and the page itself', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(async () => {
    await bot?.stop();
  });

  const redeem = (token: string, headers: Record<string, string> = {}) =>
    fetch(`${bot.url}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: bot.url, ...headers },
      body: JSON.stringify({ token }),
    });

  it('GET / serves the console page under a strict Content-Security-Policy', async () => {
    const res = await fetch(`${bot.url}/`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe-inline|unsafe-eval/);
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/console/web/app.js">');
    // No inline script anywhere: the CSP would refuse it.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const js = await fetch(`${bot.url}/console/web/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });

  it('an unknown page is a 404 page for a browser and a JSON 404 for a script', async () => {
    const page = await fetch(`${bot.url}/no/such/page`, { headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const api = await fetch(`${bot.url}/no/such/page`);
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: 'no route GET /no/such/page' });
  });

  it('a sign-in link works once, and gives an HttpOnly, SameSite=Strict cookie', async () => {
    const link = await bot.console.adminLink(bot.url);
    expect(link).toMatch(new RegExp(`^${bot.url}/sign-in#t=[A-Za-z0-9_-]{43}$`));
    const first = await redeem(tokenOf(link));
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^dutybot_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    const again = await redeem(tokenOf(link));
    expect(again.status).toBe(401);
    expect((await again.json()).error).toMatch(/unknown, used or expired/);
  });

  it('a link expires after 15 minutes', async () => {
    const token = await bot.console.auth.issueLink({ role: 'admin' });
    bot.clock.advance(15 * 60_000 + 1);
    expect((await redeem(token)).status).toBe(401);
  });

  it('the cookie is Secure behind https only when a proxy is trusted', async () => {
    const untrusted = await redeem(await bot.console.auth.issueLink({ role: 'admin' }), { 'x-forwarded-proto': 'https' });
    expect(untrusted.headers.get('set-cookie')).not.toMatch(/Secure/);
    const proxied = await startTestBot({ trustProxy: true, mongoUri: bot.mongoUri });
    try {
      const token = await proxied.console.auth.issueLink({ role: 'admin' });
      const res = await fetch(`${proxied.url}/console/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: proxied.url.replace('http:', 'https:'), 'x-forwarded-proto': 'https' },
        body: JSON.stringify({ token }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await proxied.stop();
    }
  });

  it('a sign-in posted from another site is refused', async () => {
    const token = await bot.console.auth.issueLink({ role: 'admin' });
    const res = await redeem(token, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });

  it('without the session, the API answers 401; without the CSRF header or from another origin, a change is refused 403', async () => {
    expect((await fetch(`${bot.url}/console/api/me`)).status).toBe(401);
    const s = await signIn(bot, { role: 'admin' });
    const opened = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'csrf', title: 'CSRF target', severity: 'warning' }, KEYS.api);
    const { shortId } = (await opened.json()) as { shortId: number };
    const noCsrf = await consoleCall(bot, s, 'POST', `/alerts/${shortId}/claim`, {}, { csrf: null });
    expect(noCsrf.status).toBe(403);
    expect((await noCsrf.json()).error).toMatch(/x-csrf-token/);
    const wrongCsrf = await consoleCall(bot, s, 'POST', `/alerts/${shortId}/claim`, {}, { csrf: 'x'.repeat(43) });
    expect(wrongCsrf.status).toBe(403);
    const foreign = await consoleCall(bot, s, 'POST', `/alerts/${shortId}/claim`, {}, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const alert = (await (await consoleCall(bot, s, 'GET', `/alerts/${shortId}`)).json()) as { alert: { state: string } };
    expect(alert.alert.state).toBe('triggered');
  });

  it('sign-out ends the session in the database, not only in the browser', async () => {
    const s = await signIn(bot, { role: 'admin' });
    expect((await consoleCall(bot, s, 'GET', '/me')).status).toBe(200);
    const out = await consoleCall(bot, s, 'POST', '/sign-out');
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/dutybot_session=;/);
    expect((await consoleCall(bot, s, 'GET', '/me')).status).toBe(401);
  });

  it('signing out ends that browser’s live stream, and only that one', async () => {
    const mine = await signIn(bot, { role: 'admin' });
    const other = await signIn(bot, { role: 'admin' });
    const stream = async (s: { cookie: string }) => {
      const res = await fetch(`${bot.url}/console/api/events`, { headers: { cookie: s.cookie } });
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = res.body!.getReader();
      await reader.read(); // ": connected"
      return reader;
    };
    const [a, b] = await Promise.all([stream(mine), stream(other)]);
    expect(bot.console.live.size).toBeGreaterThanOrEqual(2);
    await consoleCall(bot, mine, 'POST', '/sign-out');
    expect((await a.read()).done).toBe(true);
    // The other browser still hears alert changes.
    const next = b.read();
    await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'after-sign-out', title: 'Still live', severity: 'info' }, KEYS.api);
    expect(new TextDecoder().decode((await next).value)).toContain('Still live');
    await b.cancel();
  });

  it('a session lasts 7 days', async () => {
    const s = await signIn(bot, { role: 'member', memberId: 'zhang' });
    bot.clock.advance(7 * 86_400_000 - 1000);
    expect((await consoleCall(bot, s, 'GET', '/me')).status).toBe(200);
    bot.clock.advance(2000);
    expect((await consoleCall(bot, s, 'GET', '/me')).status).toBe(401);
  });

  it('expired sessions and links are deleted from the database when the next link is made, even if never presented again', async () => {
    const s = await signIn(bot, { role: 'member', memberId: 'li' });
    const unused = await bot.console.auth.issueLink({ role: 'admin' });
    const sessions = bot.runtime.database.db.collection<{ _id: string }>('consolesessions');
    const links = bot.runtime.database.db.collection<{ _id: string }>('consolelinks');
    const sessionId = hashOf(decodeURIComponent(s.cookie.split('=')[1]!));
    expect(await sessions.countDocuments({ _id: sessionId })).toBe(1);
    bot.clock.advance(8 * 86_400_000);
    await bot.console.auth.issueLink({ role: 'admin' });
    expect(await sessions.countDocuments({ _id: sessionId })).toBe(0);
    expect(await links.countDocuments({ _id: hashOf(unused) })).toBe(0);
  });

  it('the live stream needs a session too', async () => {
    const res = await fetch(`${bot.url}/console/api/events`);
    expect(res.status).toBe(401);
  });

  it('a member acts on their teams’ alerts only: another team’s is 403 with the reason', async () => {
    const opened = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'ops-only', title: 'Ops disk', severity: 'warning' }, KEYS.api);
    const { shortId } = (await opened.json()) as { shortId: number };
    const wang = await signIn(bot, { role: 'member', memberId: 'wang' });
    const view = (await (await consoleCall(bot, wang, 'GET', `/alerts/${shortId}`)).json()) as { alert: { mayAct: boolean } };
    expect(view.alert.mayAct).toBe(false);
    const res = await consoleCall(bot, wang, 'POST', `/alerts/${shortId}/claim`);
    expect(res.status).toBe(403);
    expect((await res.json()).error).toBe(`王五 is not in team "ops" of alert #${shortId}`);
    const zhang = await signIn(bot, { role: 'member', memberId: 'zhang' });
    expect((await consoleCall(bot, zhang, 'POST', `/alerts/${shortId}/claim`)).status).toBe(200);
  });

  it('without a public address, asking for a link by chat says it is not set up (and never uses the Host header)', async () => {
    const res = await fetch(`${bot.url}/console/api/sign-in-link`, { method: 'POST', headers: { 'content-type': 'application/json', origin: bot.url }, body: JSON.stringify({ member: 'zhang' }) });
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatch(/notify.publicUrl/);
  });

  it('only an admin makes sign-in links for members; the link signs in as that member', async () => {
    const zhang = await signIn(bot, { role: 'member', memberId: 'zhang' });
    expect((await consoleCall(bot, zhang, 'POST', '/sign-in-links', { member: 'li' })).status).toBe(403);
    const admin = await signIn(bot, { role: 'admin' });
    expect((await consoleCall(bot, admin, 'POST', '/sign-in-links', { member: 'nobody' })).status).toBe(400);
    const made = await consoleCall(bot, admin, 'POST', '/sign-in-links', { member: 'li' });
    const { url } = (await made.json()) as { url: string };
    const res = await redeem(tokenOf(url));
    expect((await res.json()).viewer).toMatchObject({ role: 'member', memberId: 'li', name: '李四', teams: ['ops'] });
  });
});
