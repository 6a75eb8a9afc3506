import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startTestBot, TOKENS, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage } from '../support/browser.js';

/**
 * Three alerts with known times, through the real ingestion and REST commands on the fake clock
 * (ops' days are Shanghai's, UTC+8). The expected figures below are worked out by hand from these
 * times, not by the analytics code.
 *
 * - disk: started 01:57Z, received 02:00Z on the 25th (detect 180 s), twice more while open
 *   (3 events); claimed by 张三 at 02:02Z (claim 120 s); the source says it ended 02:30Z (resolve
 *   01:57 → 02:30 = 1980 s).
 * - cpu: received 06:00Z on the 25th, no start given (detect 0); claimed by 李四 at 06:10Z (600 s);
 *   resolved by 李四 at 07:00Z (3600 s).
 * - mem: started 02:59Z, received 03:00Z on the 26th (detect 60 s); still open.
 */
const EXPECTED = {
  opened: 3,
  claimed: 2,
  resolved: 2,
  openAtEnd: 1,
  mttd: 80, // (180 + 0 + 60) / 3
  mttdP90: 180, // nearest rank: ceil(0.9 × 3) = 3rd of [0, 60, 180]
  mtta: 360, // (120 + 600) / 2
  mttaP90: 600,
  mttr: 2790, // (1980 + 3600) / 2
  mttrP90: 3600,
};

describe('the console’s analytics page shows the figures of alerts with known times', () => {
  let bot: TestBot;
  let browser: Browser;

  const at = (iso: string) => bot.clock.set(iso);
  async function event(eventType: 'trigger' | 'resolve', key: string, occurredAt?: string): Promise<number> {
    const res = await bot.post('/api/v1/events', { eventType, dedupKey: key, title: `${key} alert`, severity: 'critical', ...(occurredAt ? { occurredAt } : {}) }, KEYS.api);
    expect(res.status).toBeLessThan(300);
    return ((await res.json()) as { shortId: number }).shortId;
  }
  async function act(id: number, action: 'claim' | 'resolve', token: string): Promise<void> {
    const res = await bot.post(`/api/v1/alerts/${id}/${action}`, {}, token);
    expect(res.status, `${action} #${id}`).toBe(200);
  }

  beforeAll(async () => {
    [bot, browser] = await Promise.all([startTestBot(), launchBrowser()]);
    at('2026-11-25T02:00:00Z');
    const disk = await event('trigger', 'disk', '2026-11-25T01:57:00Z');
    at('2026-11-25T02:01:00Z');
    await event('trigger', 'disk', '2026-11-25T01:57:00Z');
    at('2026-11-25T02:02:00Z');
    await act(disk, 'claim', TOKENS.zhang);
    at('2026-11-25T02:05:00Z');
    await event('trigger', 'disk', '2026-11-25T01:57:00Z');
    at('2026-11-25T02:40:00Z');
    await event('resolve', 'disk', '2026-11-25T02:30:00Z');
    at('2026-11-25T06:00:00Z');
    const cpu = await event('trigger', 'cpu');
    at('2026-11-25T06:10:00Z');
    await act(cpu, 'claim', TOKENS.li);
    at('2026-11-25T07:00:00Z');
    await act(cpu, 'resolve', TOKENS.li);
    at('2026-11-26T03:00:00Z');
    await event('trigger', 'mem', '2026-11-26T02:59:00Z');
    at('2026-11-27T09:00:00Z');
    await bot.analytics.recorder.settled();
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  const signedIn = async (locale: string, who: { role: 'admin' } | { role: 'member'; memberId: string } = { role: 'member', memberId: 'wang' }) => {
    const p = await openPage(browser, { locale, acceptDownloads: true });
    await p.page.goto(`${bot.url}/sign-in#t=${await bot.console.auth.issueLink(who)}`);
    await p.page.waitForURL(`${bot.url}/`);
    return p;
  };
  const cells = (page: Page, row: string) => page.locator(`${row} td`).allTextContents();
  const seconds = (page: Page, row: string) => page.locator(`${row} td[data-seconds]`).evaluateAll((tds) => tds.map((td) => td.getAttribute('data-seconds')));

  it('per team (in English): counts, means and p90s, per day, the noisiest alerts; a member of another team sees them too', async () => {
    const { page, errors, close } = await signedIn('en-US');
    await page.locator('nav a', { hasText: 'Analytics' }).click();
    const ops = 'table.figures tr[data-key="ops"]';
    await page.locator(ops).waitFor();
    expect(await page.locator(`${ops} th`).textContent()).toBe('运维');
    // Opened, claimed, resolved, open at end, escalated, off hours, then detect/claim/resolve mean and p90.
    const e = EXPECTED;
    expect(await cells(page, ops)).toEqual([
      '3', '2', '2', '1', '0', '0',
      '1m 20s', '3m 00s', '6m 00s', '10m 00s', '46m 30s', '1h 00m',
    ]);
    expect(await seconds(page, ops)).toEqual([e.mttd, e.mttdP90, e.mtta, e.mttaP90, e.mttr, e.mttrP90].map(String));
    expect(await page.locator('table.figures tbody tr').count()).toBe(1);

    // The charts: one bar a day with alerts, and their numbers in the table beside them.
    expect(await page.locator('#chart-alerts svg rect.bar').count()).toBe(2);
    expect(await page.locator('#chart-alerts figcaption').textContent()).toBe('Alerts opened per day (days in Asia/Shanghai)');
    expect(await page.locator('#chart-times svg').getAttribute('aria-labelledby')).toBe('chart-times-caption');
    expect(await cells(page, 'table.days tr[data-day="2026-11-25"]')).toEqual(['2', '2', '2', '1m 30s', '6m 00s', '46m 30s']);
    expect(await cells(page, 'table.days tr[data-day="2026-11-26"]')).toEqual(['1', '0', '0', '1m 00s', '—', '—']);
    expect(await cells(page, 'table.days tr[data-day="2026-11-24"]')).toEqual(['0', '0', '0', '—', '—', '—']);
    // MTTA and MTTR have a point on the 25th only; MTTD on both days.
    expect(await page.locator('#chart-times circle.mtta').count()).toBe(1);
    expect(await page.locator('#chart-times circle.mttd').count()).toBe(2);

    expect(await cells(page, 'table.noisiest tr[data-dedup="disk"]')).toEqual(['disk alert', 'rest', '1', '3']);
    expect(await page.locator('table.noisiest tbody tr').first().getAttribute('data-dedup')).toBe('disk');
    expect(errors).toEqual([]);
    await close();
  });

  it('per member and per application, and over 30 days or given dates (in Chinese)', async () => {
    const { page, close } = await signedIn('zh-CN');
    await page.goto(`${bot.url}/analytics`);
    await page.locator('form.analytics-period select[name="by"]').selectOption('member');
    await page.locator('form.analytics-period button', { hasText: '查看' }).click();
    await page.locator('table.figures[data-by="member"]').waitFor();
    // Claims, claim mean, p90, resolves, resolve mean, p90, off-hours claims; pages, at night, hours on call (no schedule here).
    expect(await page.locator('table.figures tr[data-key="zhang"] th').textContent()).toBe('张三');
    expect(await cells(page, 'table.figures tr[data-key="zhang"]')).toEqual(['1', '2分00秒', '2分00秒', '0', '—', '—', '0', '0', '0', '0']);
    expect(await cells(page, 'table.figures tr[data-key="li"]')).toEqual(['1', '10分00秒', '10分00秒', '1', '1小时00分', '1小时00分', '0', '0', '0', '0']);

    await page.locator('form.analytics-period select[name="by"]').selectOption('application');
    await page.locator('form.analytics-period select[name="period"]').selectOption('30d');
    await page.locator('form.analytics-period button').click();
    await page.locator('table.figures[data-by="application"] tr[data-key="billing"]').waitFor();
    expect((await cells(page, 'table.figures tr[data-key="billing"]')).slice(0, 4)).toEqual(['3', '2', '2', '1']);
    expect(await page.locator('table.days tbody tr').count()).toBe(31); // 30 × 24 h from 17:00 in Shanghai touch 31 days

    // Only the 26th, by dates (the form's "until" includes its day; picking a date picks "from – until").
    const form = page.locator('form.analytics-period');
    await form.locator('input[name="from"]').fill('2026-11-26');
    await form.locator('input[name="until"]').fill('2026-11-26');
    expect(await form.locator('select[name="period"]').inputValue()).toBe('custom');
    await form.locator('select[name="by"]').selectOption('team');
    await form.locator('select[name="team"]').selectOption('ops');
    await form.locator('button').click();
    await page.waitForURL(/period=custom/);
    await page.locator('table.figures tr[data-key="ops"]').waitFor();
    expect((await cells(page, 'table.figures tr[data-key="ops"]')).slice(0, 4)).toEqual(['1', '0', '0', '1']);
    expect(await page.locator('table.days tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-day')))).toEqual(['2026-11-26']);
    expect(await page.locator('[data-role="period"]').textContent()).toContain('运维');
    await close();
  });

  it('the CSV download is the REST API’s CSV, with the same figures', async () => {
    const { page, close } = await signedIn('en-US');
    await page.goto(`${bot.url}/analytics`);
    const link = page.locator('a[data-role="csv"]');
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('dutybot-analytics-team-2026-11-20.csv');
    const bytes = await readFile((await download.path())!);
    const csv = bytes.toString('utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true); // for Excel
    const lines = csv.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('team,opened,claimed,resolved,resolvedByPerson,resolvedBySource,resolvedBeforeClaim,openAtEnd,escalated,muted,offHours,mttaSeconds,mttaP90Seconds,mttrSeconds,mttrP90Seconds,mttdSeconds,mttdP90Seconds');
    expect(lines.slice(1)).toEqual(['ops,3,2,2,1,1,0,1,0,0,0,360,600,2790,3600,80,180']);
    // Byte for byte what the REST API answers a member's token for the same period.
    const rest = await bot.get('/api/v1/analytics?by=team&days=7&format=csv', TOKENS.wang);
    expect(Buffer.from(await rest.arrayBuffer()).equals(bytes)).toBe(true);
    await close();
  });

  it('bad input is a message next to the form, not a broken page; without a session the API is 401', async () => {
    const { page, close } = await signedIn('en-US');
    const res = await page.evaluate(async () => {
      const r = await fetch('/console/api/analytics?by=host');
      return [r.status, (await r.json()).error];
    });
    expect(res[0]).toBe(400);
    expect(String(res[1])).toContain('one of application, team, member');
    // Dates the wrong way round: the server's reason under the form, which stays to fix them.
    await page.goto(`${bot.url}/analytics?period=custom&from=2026-11-26&until=2026-11-20`);
    await page.locator('p.error', { hasText: '"from" must be before "to"' }).waitFor();
    expect(await page.locator('form.analytics-period input[name="from"]').inputValue()).toBe('2026-11-26');
    await close();
    expect((await fetch(`${bot.url}/console/api/analytics`)).status).toBe(401);
    expect((await fetch(`${bot.url}/console/api/analytics?format=csv`)).status).toBe(401);
  });
});
