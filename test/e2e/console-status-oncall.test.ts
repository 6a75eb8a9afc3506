import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage } from '../support/browser.js';

/** Ops rotates daily between 张三 and 李四 from 1 November (Shanghai time). */
function config(): ConfigInput {
  const input = testConfigInput();
  input.teams![0] = { ...input.teams![0]!, schedule: 'primary' };
  input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }] }];
  return input;
}

describe('the console’s status and on-call pages', () => {
  let bot: TestBot;
  let browser: Browser;
  beforeAll(async () => {
    [bot, browser] = await Promise.all([startTestBot({ config: testConfig(config()) }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  const signedIn = async (who: { role: 'admin' } | { role: 'member'; memberId: string }) => {
    const p = await openPage(browser);
    await p.page.goto(`${bot.url}/sign-in#t=${await bot.console.auth.issueLink(who)}`);
    await p.page.waitForURL(`${bot.url}/`);
    return p;
  };

  it('an admin sees the readiness checks and the open alerts, as /readyz and the store count them', async () => {
    for (const key of ['a', 'b', 'c']) await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: key, title: `Alert ${key}`, severity: 'info' }, KEYS.api);
    const { page, close } = await signedIn({ role: 'admin' });
    await page.locator('nav a', { hasText: 'Status' }).click();
    await page.locator('h1', { hasText: 'dutybot status' }).waitFor();
    expect(await page.locator('[data-ready]').getAttribute('data-ready')).toBe('true');
    expect(await page.locator('tr[data-check="database"]').getAttribute('data-ok')).toBe('true');
    expect(await page.locator('[data-figure="triggered"]').textContent()).toBe('3');
    expect(await page.locator('[data-figure="acknowledged"]').textContent()).toBe('0');
    await close();
  });

  it('a member asking for the status page is told it is for admins (403)', async () => {
    const { page, close } = await signedIn({ role: 'member', memberId: 'zhang' });
    expect(await page.locator('nav a', { hasText: 'Status' }).count()).toBe(0);
    await page.goto(`${bot.url}/status`);
    await page.locator('p.error', { hasText: "Not allowed: only an admin may see dutybot's status" }).waitFor();
    await close();
  });

  it('shows who is on call now and who is next', async () => {
    // 2026-11-27 17:00 in Shanghai: day 26 of the rotation, 张三's; 李四 takes over on the 28th.
    const { page, close } = await signedIn({ role: 'member', memberId: 'li' });
    await page.locator('nav a', { hasText: 'On call' }).click();
    const row = page.locator('table[data-team="ops"] tr[data-schedule="primary"]');
    await row.waitFor();
    expect(await row.locator('td.now').textContent()).toBe('张三');
    expect(await row.locator('td.next').textContent()).toMatch(/^李四 · 28\/11\/2026/);
    await close();
  });

  it('a team member adds a cover and the schedule’s calendar changes at once; another team may not', async () => {
    const { page, close } = await signedIn({ role: 'member', memberId: 'li' });
    await page.goto(`${bot.url}/oncall`);
    const calendar = page.locator('section[data-calendar="primary"]');
    await calendar.locator('tbody tr').first().waitFor();
    expect(await calendar.locator('tbody tr').first().getAttribute('data-member')).toBe('zhang');

    await calendar.locator('select[name="member"]').selectOption('li');
    await calendar.locator('input[name="duration"]').fill('2h');
    await calendar.locator('button', { hasText: 'Add cover' }).click();
    await calendar.locator('p.status', { hasText: 'Cover added.' }).waitFor();
    const first = calendar.locator('tbody tr').first();
    expect(await first.getAttribute('data-member')).toBe('li');
    // The viewer's zone here is London (UTC in November): 09:00 to 11:00, then 张三 again.
    expect(await first.locator('td').allTextContents()).toEqual(['27/11/2026, 09:00:00', '27/11/2026, 11:00:00', '李四 (cover)']);
    expect(await calendar.locator('tbody tr').nth(1).getAttribute('data-member')).toBe('zhang');
    await close();

    const wang = await signedIn({ role: 'member', memberId: 'wang' });
    await wang.page.goto(`${bot.url}/oncall`);
    await wang.page.locator('section[data-calendar="primary"] tbody tr').first().waitFor();
    expect(await wang.page.locator('section[data-calendar="primary"] form.cover').count()).toBe(0);
    const refused = await wang.page.evaluate(async () => {
      const me = await (await fetch('/console/api/me')).json();
      const r = await fetch('/console/api/oncall/primary/cover', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.viewer.csrf }, body: JSON.stringify({ member: 'wang', duration: '1h' }) });
      return [r.status, (await r.json()).error];
    });
    expect(refused).toEqual([403, '王五 is not in a team on schedule "Primary"']);
    await wang.close();
  });

  it('covers are listed with who made them; who may removes one, the calendar changes back, and the trail says via console', async () => {
    const zhang = await signedIn({ role: 'member', memberId: 'zhang' });
    await zhang.page.goto(`${bot.url}/oncall`);
    const calendar = zhang.page.locator('section[data-calendar="primary"]');
    await calendar.locator('tbody tr').first().waitFor();
    // 张三 has 李四 cover three hours this afternoon (London = UTC here), on 张三's own day.
    await calendar.locator('select[name="member"]').selectOption('li');
    await calendar.locator('input[name="from"]').fill('2026-11-27T15:00');
    await calendar.locator('input[name="duration"]').fill('3h');
    await calendar.locator('button', { hasText: 'Add cover' }).click();
    await calendar.locator('p.status', { hasText: 'Cover added.' }).waitFor();
    const coverRow = calendar.locator('table.spans tr[data-member="li"]', { hasText: '27/11/2026, 15:00:00' });
    expect(await coverRow.locator('td').allTextContents()).toEqual(['27/11/2026, 15:00:00', '27/11/2026, 18:00:00', '李四 (cover)']);

    const [entry] = await bot.overrides.history(1);
    const id = entry!.override.id;
    expect(entry).toMatchObject({ action: 'add', scheduleId: 'primary', by: 'zhang', via: 'console', override: { member: 'li' } });
    const listed = calendar.locator(`table.covers tr[data-cover-id="${id}"]`);
    expect(await listed.locator('td').allTextContents()).toEqual(['李四', '27/11/2026, 15:00:00', '27/11/2026, 18:00:00', '张三', 'Remove']);
    // 李四's own cover of the morning (made by 李四) is listed without a button for 张三, who is no team admin.
    const morning = calendar.locator('table.covers tr[data-member="li"]').filter({ hasNotText: '15:00:00' });
    expect(await morning.locator('td').nth(3).textContent()).toBe('李四');
    expect(await morning.locator('button').count()).toBe(0);

    // 王五, of another team, sees the covers but may remove none: no button, and the API says 403.
    const wang = await signedIn({ role: 'member', memberId: 'wang' });
    await wang.page.goto(`${bot.url}/oncall`);
    await wang.page.locator(`section[data-calendar="primary"] table.covers tr[data-cover-id="${id}"]`).waitFor();
    expect(await wang.page.locator('section[data-calendar="primary"] table.covers button').count()).toBe(0);
    const refused = await wang.page.evaluate(async (coverId) => {
      const me = await (await fetch('/console/api/me')).json();
      const r = await fetch(`/console/api/oncall/primary/covers/${coverId}/remove`, { method: 'POST', headers: { 'x-csrf-token': me.viewer.csrf } });
      return [r.status, (await r.json()).error];
    }, id);
    expect(refused).toEqual([403, 'only the person covering, who arranged it, or an admin of the team may remove this cover']);
    await wang.close();

    await listed.locator('button', { hasText: 'Remove' }).click();
    await calendar.locator('p.status', { hasText: 'Cover removed.' }).waitFor();
    expect(await calendar.locator(`table.covers tr[data-cover-id="${id}"]`).count()).toBe(0);
    expect(await coverRow.count()).toBe(0);
    // 张三 again from the end of the morning's cover to the handoff to 李四 (01:00 UTC, 09:00 Shanghai).
    expect(await calendar.locator('table.spans tr[data-member="zhang"]').first().locator('td').allTextContents()).toEqual(['27/11/2026, 11:00:00', '28/11/2026, 01:00:00', '张三']);
    const [removal] = await bot.overrides.history(1);
    expect(removal).toMatchObject({ action: 'remove', scheduleId: 'primary', by: 'zhang', via: 'console', override: { id, member: 'li' } });
    await zhang.close();

    // An admin may remove any: every listed cover has its button.
    const admin = await signedIn({ role: 'admin' });
    await admin.page.goto(`${bot.url}/oncall`);
    const rows = admin.page.locator('section[data-calendar="primary"] table.covers tbody tr');
    await rows.first().waitFor();
    expect(await admin.page.locator('section[data-calendar="primary"] table.covers tbody button').count()).toBe(await rows.count());
    await admin.close();
  });
});
