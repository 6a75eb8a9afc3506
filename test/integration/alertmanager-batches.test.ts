import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerBatch } from '../support/alertmanager-batch.js';
import { KEYS, TOKENS, startTestBot, type TestBot } from '../support/bot.js';

/**
 * Alertmanager sends a whole group in one webhook: 100 hosts down is one POST of 100 alerts, and
 * their recovery another. Every size is stored and applied, and the database keeps answering
 * (issue 18: one batch of 100 resolved alerts used to leave FerretDB 1.24 answering nothing).
 */
// Correctness, not speed (`npm run bench:batches` measures that): generous on a loaded machine.
describe('Alertmanager batches of any size', { timeout: 180_000 }, () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(async () => bot?.stop());

  const send = (body: unknown) => bot.post('/api/v1/webhooks/alertmanager', body, KEYS.alertmanager);
  const open = async () => (await bot.runtime.alerts.countByState()).triggered;
  /** Facts are written after the answer; once they are, the database must still answer. */
  const stillAnswers = async () => {
    await bot.analytics.recorder.settled();
    expect((await bot.get('/readyz')).status).toBe(200);
  };

  for (const n of [1, 100, 150, 300, 1000]) {
    it(`a batch of ${n} firing, then the same ${n} resolved, are all stored and applied`, async () => {
      const group = `Batch${n}`;
      const before = await open();
      expect((await send(alertmanagerBatch(n, 'firing', { group }))).status).toBe(202);
      expect(await open()).toBe(before + n);
      await stillAnswers();
      expect((await send(alertmanagerBatch(n, 'resolved', { group }))).status).toBe(202);
      expect(await open()).toBe(before);
      await stillAnswers();
      const facts = await bot.analytics.facts.opened({ from: new Date(0), to: new Date('2100-01-01T00:00:00Z') });
      expect(facts.filter((f) => f.title.startsWith(`${group} on`) && f.resolvedAt)).toHaveLength(n);
    });
  }

  it('four groups of 100 posting at once are all stored, then all resolved at once', async () => {
    const groups = ['DiskFull', 'CpuHigh', 'MemoryLow', 'ProbeFailed'];
    const before = await open();
    const firing = await Promise.all(groups.map((group) => send(alertmanagerBatch(100, 'firing', { group }))));
    expect(firing.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    expect(await open()).toBe(before + 400);
    const resolved = await Promise.all(groups.map((group) => send(alertmanagerBatch(100, 'resolved', { group }))));
    expect(resolved.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    expect(await open()).toBe(before);
    await stillAnswers();
  });

  it('a batch sent again (Alertmanager retrying after a 503) opens nothing twice', async () => {
    const before = await open();
    const batch = alertmanagerBatch(150, 'firing', { group: 'Retried' });
    expect((await send(batch)).status).toBe(202);
    expect((await send(batch)).status).toBe(202);
    expect(await open()).toBe(before + 150);
    const { alerts } = (await (await bot.get('/api/v1/alerts?status=triggered&limit=200', TOKENS.zhang)).json()) as { alerts: Array<{ title: string; count: number }> };
    const retried = alerts.filter((a) => a.title.startsWith('Retried on'));
    expect(retried).toHaveLength(150);
    for (const a of retried) expect(a.count).toBe(2);
    expect((await send(alertmanagerBatch(150, 'resolved', { group: 'Retried' }))).status).toBe(202);
    expect(await open()).toBe(before);
  });
});
