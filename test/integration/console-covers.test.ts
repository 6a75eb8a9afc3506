import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { consoleCall, signIn } from '../support/console.js';

describe('covers through the console API: listed, removed by whom chat allows, audited via console', () => {
  let bot: TestBot;
  beforeAll(async () => {
    const input = testConfigInput();
    // 张三 is the ops team's admin: he may remove anyone's cover on its schedule.
    input.teams![0] = { ...input.teams![0]!, schedule: 'primary', admins: ['zhang'] };
    input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }] }];
    bot = await startTestBot({ config: testConfig(input) });
  });
  afterAll(async () => bot?.stop());

  const coverOfLi = async () => {
    const now = bot.clock.now();
    return bot.overrides.add('primary', { member: 'li', from: now, to: new Date(now.getTime() + 3_600_000), by: 'li', via: 'slack' }, now);
  };

  it('a team admin sees Remove on a cover someone else made, and removes it', async () => {
    const cover = await coverOfLi();
    const zhang = await signIn(bot, { role: 'member', memberId: 'zhang' });
    const cal = await (await consoleCall(bot, zhang, 'GET', '/oncall/primary/calendar?days=2')).json();
    expect(cal.covers).toEqual([{ id: cover.id, member: 'li', name: '李四', from: cover.from.toISOString(), to: cover.to.toISOString(), by: 'li', byName: '李四', mayRemove: true }]);
    const res = await consoleCall(bot, zhang, 'POST', `/oncall/primary/covers/${cover.id}/remove`);
    expect(res.status).toBe(200);
    expect((await res.json()).removed).toMatchObject({ schedule: 'primary', id: cover.id, member: 'li' });
    const [entry] = await bot.overrides.history(1);
    expect(entry).toMatchObject({ action: 'remove', by: 'zhang', via: 'console', override: { id: cover.id } });
    expect(entry!.channel).toBeUndefined();
    expect((await (await consoleCall(bot, zhang, 'GET', '/oncall/primary/calendar?days=2')).json()).covers).toEqual([]);
  });

  it('an unknown or malformed id is a 404, a removal without the CSRF token a 403, and nothing changes', async () => {
    const cover = await coverOfLi();
    const admin = await signIn(bot, { role: 'admin' });
    expect((await consoleCall(bot, admin, 'POST', '/oncall/primary/covers/ffffff/remove')).status).toBe(404);
    expect((await consoleCall(bot, admin, 'POST', '/oncall/primary/covers/%2e%2e%2fx/remove')).status).toBe(404);
    expect((await consoleCall(bot, admin, 'POST', `/oncall/nope/covers/${cover.id}/remove`)).status).toBe(404);
    expect((await consoleCall(bot, admin, 'POST', `/oncall/primary/covers/${cover.id}/remove`, undefined, { csrf: null })).status).toBe(403);
    expect((await bot.overrides.list('primary')).map((o) => o.id)).toContain(cover.id);
    // The admin of the printed link has no member: the trail names the console.
    expect((await consoleCall(bot, admin, 'POST', `/oncall/primary/covers/${cover.id}/remove`)).status).toBe(200);
    expect((await bot.overrides.history(1))[0]).toMatchObject({ action: 'remove', by: 'console', via: 'console' });
  });
});
