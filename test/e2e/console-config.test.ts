import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { KEYS, startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';
import { launchBrowser, openPage } from '../support/browser.js';

/** Secrets of every kind the page must not show, beside the test organisation's keys and tokens. */
const SECRETS = {
  robot: 'robot0access0token0dingtalk0000',
  robotSign: 'SEC0dingtalk0sign0secret0000',
  link: 'link-secret-0123456789abcdef',
  smtp: 'smtp-password-0123456789',
  oidc: 'oidc-client-secret-0123456789',
  webhook: 'webhook-secret-0123456789abc',
};

function config(): ConfigInput {
  const input = testConfigInput();
  input.teams![0] = { ...input.teams![0]!, channels: [{ platform: 'dingtalk-webhook', url: `https://oapi.dingtalk.com/robot/send?access_token=${SECRETS.robot}`, secret: SECRETS.robotSign }] };
  input.notify = { publicUrl: 'https://dutybot.example.com', linkSecret: SECRETS.link, email: { smtpUrl: `smtps://dutybot%40example.com:${SECRETS.smtp}@smtp.example.com:465`, from: 'dutybot@example.com' } };
  input.console = { oidc: { issuer: 'https://sso.example.com/realms/ops', clientId: 'dutybot', clientSecret: SECRETS.oidc } };
  input.webhooks = [{ name: 'audit', url: 'https://audit.example.com/dutybot', secret: SECRETS.webhook, events: ['opened'] }];
  return input;
}

describe('the console’s configuration page', () => {
  let bot: TestBot;
  let browser: Browser;
  beforeAll(async () => {
    [bot, browser] = await Promise.all([startTestBot({ config: testConfig(config()) }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  const signedIn = async (who: { role: 'admin' } | { role: 'member'; memberId: string }, locale = 'en-US') => {
    const p = await openPage(browser, { locale });
    await p.page.goto(`${bot.url}/sign-in#t=${await bot.console.auth.issueLink(who)}`);
    await p.page.waitForURL(`${bot.url}/`);
    return p;
  };

  it('an admin sees the configuration as loaded, defaults filled in, and no secret anywhere in the page', async () => {
    for (const locale of ['en-US', 'zh-CN']) {
      const { page, errors, close } = await signedIn({ role: 'admin' }, locale);
      await page.locator('nav a', { hasText: locale === 'en-US' ? 'Configuration' : '配置' }).click();
      const pre = page.locator('pre.config');
      await pre.waitFor();
      const yaml = (await pre.textContent())!;
      // As loaded: the file's values and the defaults it did not write.
      expect(yaml).toContain('name: 运维');
      expect(yaml).toContain('timeZone: Asia/Shanghai');
      expect(yaml).toContain('linkTtl: 24h');
      expect(yaml).toContain('https://oapi.dingtalk.com/robot/send?access_token=••••••');
      expect(yaml).toContain('issuer: https://sso.example.com/realms/ops');
      const html = await page.content();
      for (const secret of [...Object.values(KEYS), ...Object.values(TOKENS), ...Object.values(SECRETS)]) expect(html, secret).not.toContain(secret);
      expect(errors).toEqual([]);
      await close();
    }
  });

  it('a member is refused (403) and the page says why; the link is not in their menu', async () => {
    const { page, close } = await signedIn({ role: 'member', memberId: 'zhang' });
    expect(await page.locator('nav a', { hasText: 'Configuration' }).count()).toBe(0);
    await page.goto(`${bot.url}/config`);
    await page.locator('p.error', { hasText: 'Not allowed: only an admin may see the configuration' }).waitFor();
    const res = await page.evaluate(async () => (await fetch('/console/api/config')).status);
    expect(res).toBe(403);
    await close();
    expect((await fetch(`${bot.url}/console/api/config`)).status).toBe(401);
  });
});
