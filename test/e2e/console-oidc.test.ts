import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { startTestBot, testConfigInput, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/oidc-provider.js';

/** Through the provider's own login and consent pages (oidc-provider's development interactions). */
async function signInAtIdp(page: Page, idp: TestIdp, login: string): Promise<void> {
  await page.waitForURL(`${idp.issuer}/**`);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.locator('button', { hasText: 'Continue' }).click();
}

describe('signing in to the console with the company’s OpenID Connect provider', () => {
  let idp: TestIdp;
  let bot: TestBot;
  let browser: Browser;
  beforeAll(async () => {
    [idp, browser] = await Promise.all([startTestIdp(), launchBrowser()]);
    const input = testConfigInput();
    input.members = input.members!.map((m) => (m.id === 'wang' ? m : { ...m, email: `${m.id}@Example.com` }));
    input.console = { oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: '${IDP_SECRET}', admins: ['li'] } };
    // The secret comes from the environment, as an operator writes it.
    const config = { ...parseConfig(JSON.stringify(input), { IDP_SECRET: idp.clientSecret }), generated: false };
    bot = await startTestBot({ config });
    idp.register(`${bot.url}/console/oidc/callback`);
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
    await idp?.close();
  });

  it('a member whose email the provider vouches for signs in from the front page', async () => {
    const p = await openPage(browser);
    await p.page.goto(`${bot.url}/`);
    await p.page.locator('a', { hasText: 'Sign in with your company account' }).click();
    await signInAtIdp(p.page, idp, 'zhang');
    await p.page.waitForURL(`${bot.url}/`);
    await p.page.locator('#who', { hasText: '张三' }).waitFor();
    expect(await p.page.locator('#who').textContent()).toBe('张三');
    expect(await p.page.locator('h1').textContent()).toBe('Alerts');
    const session = (await p.page.context().cookies()).find((c) => c.name === 'dutybot_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await p.close();
  });

  it('a member listed in console.oidc.admins signs in as an admin', async () => {
    const p = await openPage(browser, { locale: 'zh-CN' });
    await p.page.goto(`${bot.url}/`);
    await p.page.locator('a', { hasText: '用公司账号登录' }).click();
    await signInAtIdp(p.page, idp, 'li');
    await p.page.locator('#who', { hasText: '李四 (admin)' }).waitFor();
    await p.close();
  });

  it('someone the provider knows but dutybot does not is refused with a page that says why', async () => {
    const p = await openPage(browser);
    await p.page.goto(`${bot.url}/`);
    await p.page.locator('#oidc-sign-in').click();
    await signInAtIdp(p.page, idp, 'stranger<b>');
    await p.page.locator('h1', { hasText: 'Single sign-on did not sign you in' }).waitFor();
    // The provider's words are shown as text.
    expect(await p.page.locator('p.error').textContent()).toContain('says you are stranger<b>@example.com, but no dutybot member has that email');
    expect((await p.page.context().cookies()).filter((c) => c.name === 'dutybot_session')).toEqual([]);
    expect(p.dialogs).toEqual([]);
    await p.close();
  });

  it('an answer that is not this browser’s own sign-in (forged or replayed state) signs nobody in', async () => {
    const res = await fetch(`${bot.url}/console/oidc/callback?code=stolen&state=forged`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sign-in?oidc=expired');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('dutybot_session='))).toBe(false);
  });

  it('the front page does not offer single sign-on when none is configured', async () => {
    const plain = await startTestBot();
    try {
      const res = await fetch(`${plain.url}/console/api/sign-in-options`);
      expect(await res.json()).toEqual({ oidc: false });
      expect((await fetch(`${plain.url}/console/oidc/start`, { redirect: 'manual', headers: { accept: 'application/json' } })).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});
