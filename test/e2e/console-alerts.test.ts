import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { KEYS, startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';
import { BAD_TEXTS } from '../support/bad-text.js';
import { launchBrowser, openPage, type ConsolePage } from '../support/browser.js';

/** The test organisation, with an ack timeout on ops' alerts so that a claim can be snoozed. */
function config(): ConfigInput {
  const input = testConfigInput();
  input.teams![0] = { ...input.teams![0]!, escalationPolicy: 'ops' };
  input.escalationPolicies = [{ id: 'ops', ackTimeout: '10m', snoozeMax: '1h', levels: [{ after: '0s', notify: [{ team: 'ops', via: ['chat'] }] }] }];
  return input;
}

describe('alerts in the web console, live, in a real browser', () => {
  let bot: TestBot;
  let browser: Browser;
  const pages: ConsolePage[] = [];
  beforeAll(async () => {
    [bot, browser] = await Promise.all([startTestBot({ config: testConfig(config()), escalationTimers: false }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  const openAlert = async (title: string, extra: Record<string, unknown> = {}) => {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `k-${Math.random()}`, title, severity: 'critical', ...extra }, KEYS.api);
    expect(res.status).toBe(202);
    return (await res.json()) as { alertId: string; shortId: number };
  };
  const signedIn = async (who: { role: 'admin' } | { role: 'member'; memberId: string } = { role: 'admin' }, path = '/') => {
    const p = await openPage(browser);
    pages.push(p);
    const token = await bot.console.auth.issueLink(who);
    await p.page.goto(`${bot.url}/sign-in#t=${token}`);
    await p.page.waitForURL(`${bot.url}/`);
    if (path !== '/') await p.page.goto(`${bot.url}${path}`);
    // The live stream is open: later changes reach this page.
    await p.page.locator('#live[data-state="up"]').waitFor();
    return p;
  };

  it('the alert list shows an alert posted through the REST API, and one posted while it is open', async () => {
    const before = await openAlert('Disk almost full on web-1');
    const { page } = await signedIn();
    expect(await page.locator(`tr[data-ref="${before.shortId}"] td.title`).textContent()).toBe('Disk almost full on web-1');
    const after = await openAlert('Payment API down');
    await page.locator(`tr[data-ref="${after.shortId}"]`, { hasText: 'Payment API down' }).waitFor({ timeout: 1000 });
    // The newest comes first.
    expect(await page.locator('tbody tr').first().getAttribute('data-ref')).toBe(String(after.shortId));
  });

  it('a claim made through the REST API shows in every open console within 1 s, without reload', async () => {
    const { shortId } = await openAlert('CPU high on db-1');
    const list = await signedIn();
    const detail = await signedIn({ role: 'member', memberId: 'li' }, `/alerts/${shortId}`);
    for (const p of [list, detail]) await p.page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    const claimed = await bot.post(`/api/v1/alerts/${shortId}/claim`, {}, TOKENS.zhang);
    expect(claimed.status).toBe(200);
    await list.page.locator(`tr[data-ref="${shortId}"][data-state="acknowledged"] td.owner`, { hasText: '张三' }).waitFor({ timeout: 1000 });
    // The list draws the pushed alert itself (the 1 s promise); the detail page reloads its
    // timeline from the API on the push, one more database read, so it gets the default wait.
    await detail.page.locator('li[data-kind="claimed"][data-via="rest"]', { hasText: '张三' }).waitFor();
    for (const p of [list, detail]) expect(await p.page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  });

  it('every action taken in the console lands on the alert’s timeline, by that person, via console', async () => {
    const { alertId, shortId } = await openAlert('Queue backlog growing');
    const { page, errors } = await signedIn({ role: 'member', memberId: 'zhang' }, `/alerts/${shortId}`);
    const act = async (action: string, fields: Record<string, string> = {}) => {
      const form = page.locator(`form[data-action="${action}"]`);
      for (const [name, value] of Object.entries(fields)) {
        if (name === 'to') await form.locator(`select[name="to"]`).selectOption(value);
        else await form.locator(`input[name="${name}"]`).fill(value);
      }
      await form.locator('button').click();
    };
    const entry = (kind: string) => page.locator(`li[data-kind="${kind}"][data-via="console"]`);

    await act('claim');
    await entry('claimed').waitFor();
    // The redrawn page still says what was done.
    await page.locator('[data-role="action-status"]', { hasText: 'Claim: Done' }).waitFor();
    await bot.escalation.idle();
    await act('snooze', { duration: '30m' });
    // The engine writes a snooze as a note: "snoozed the ack timeout until …".
    await entry('note').filter({ hasText: 'snoozed the ack timeout' }).waitFor();
    await act('mute', { duration: '1h' });
    await entry('muted').waitFor();
    await act('unmute');
    await entry('unmuted').waitFor();
    await act('escalate', { reason: 'needs the DBA' });
    await entry('escalated').waitFor();
    await act('reassign', { to: 'li', reason: 'his shift' });
    await entry('reassigned').waitFor();
    await act('resolve', { note: 'restarted the consumer' });
    await entry('resolved').filter({ hasText: 'restarted the consumer' }).waitFor();
    expect(await page.locator('[data-state="resolved"]').count()).toBeGreaterThan(0);

    const byConsole = (await bot.runtime.alerts.timeline(alertId)).filter((e) => e.actor.via === 'console');
    expect(byConsole.map((e) => e.kind)).toEqual(['claimed', 'note', 'muted', 'unmuted', 'escalated', 'reassigned', 'resolved']);
    expect(new Set(byConsole.map((e) => `${e.actor.kind}:${e.actor.memberId}:${e.actor.name}`))).toEqual(new Set(['member:zhang:张三']));
    expect(errors).toEqual([]);
  });

  it('a wrong value is explained next to its field, and nothing changes', async () => {
    const { alertId, shortId } = await openAlert('Bad duration');
    const { page } = await signedIn({ role: 'admin' }, `/alerts/${shortId}`);
    const form = page.locator('form[data-action="mute"]');
    await form.locator('input[name="duration"]').fill('until lunch');
    await form.locator('button').click();
    const error = form.locator('.field-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/a duration like 30m, 1h, 1h30m/);
    expect(await form.locator('input[name="duration"]').getAttribute('aria-invalid')).toBe('true');
    expect((await bot.runtime.alerts.get(alertId))?.mutedUntil).toBeUndefined();
  });

  it('a refused action says why next to it (403 for another team’s alert)', async () => {
    const { shortId } = await openAlert('Ops only');
    const { page } = await signedIn({ role: 'member', memberId: 'wang' }, `/alerts/${shortId}`);
    await page.locator('p.notice', { hasText: 'only its teams may act on it' }).waitFor();
    expect(await page.locator('form[data-action]').count()).toBe(0);
    const status = await page.evaluate(async (ref) => {
      const me = await (await fetch('/console/api/me')).json();
      const res = await fetch(`/console/api/alerts/${ref}/claim`, { method: 'POST', headers: { 'x-csrf-token': me.viewer.csrf, 'content-type': 'application/json' }, body: '{}' });
      return [res.status, (await res.json()).error];
    }, shortId);
    expect(status).toEqual([403, `王五 is not in team "ops" of alert #${shortId}`]);
  });

  it('a state change without the CSRF header is refused 403, even from the console’s own page', async () => {
    const { alertId, shortId } = await openAlert('CSRF target');
    const { page } = await signedIn();
    const status = await page.evaluate(async (ref) => (await fetch(`/console/api/alerts/${ref}/claim`, { method: 'POST' })).status, shortId);
    expect(status).toBe(403);
    expect((await bot.runtime.alerts.get(alertId))?.state).toBe('triggered');
  });

  it('titles, labels, notes and descriptions with HTML or chat markup render as literal text, and nothing runs', async () => {
    const [title, ...rest] = BAD_TEXTS;
    const { alertId, shortId } = await openAlert(title, {
      description: rest.join('\n'),
      labels: Object.fromEntries(rest.map((v, i) => [`l${i}`, v])),
      links: [{ text: BAD_TEXTS[1], href: 'https://example.com/runbook' }],
    });
    const list = await signedIn();
    expect(await list.page.locator(`tr[data-ref="${shortId}"] td.title`).textContent()).toBe(title);
    const { page, dialogs, errors } = await signedIn({ role: 'admin' }, `/alerts/${shortId}`);
    expect(await page.locator('h1 .title').textContent()).toBe(title);
    expect(await page.locator('pre.description').textContent()).toBe(rest.join('\n'));
    expect(await page.locator('ul.labels li').allTextContents()).toEqual(rest.map((v, i) => `l${i}=${v}`));
    await page.locator('form[data-action="resolve"] input[name="note"]').fill(BAD_TEXTS[0]);
    await page.locator('form[data-action="resolve"] button').click();
    await page.locator('li[data-kind="resolved"] .note').waitFor();
    expect(await page.locator('li[data-kind="resolved"] .note').textContent()).toBe(` — ${BAD_TEXTS[0]}`);
    // No element came out of the data: the only images, scripts and frames are none at all.
    expect(await page.locator('main img, main script, main iframe, main svg').count()).toBe(0);
    expect(await list.page.locator('main img, main script, main iframe, main svg').count()).toBe(0);
    expect([...dialogs, ...list.dialogs]).toEqual([]);
    expect(errors).toEqual([]);
    expect((await bot.runtime.alerts.get(alertId))?.state).toBe('resolved');
  });
});
