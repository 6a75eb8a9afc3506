import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceTimesInFacts } from '../../migrations/0010-source-times-in-facts.js';
import { FakeClock } from '../support/clock.js';
import { KEYS, TOKENS, startTestBot, type TestBot } from '../support/bot.js';

/**
 * The source's own times reach analytics through the real ingestion path: a REST event's
 * `occurredAt` (with its offset) is the problem's start, a resolve's `occurredAt` its end.
 */
describe('analytics: time to detect, to claim and to resolve over REST', () => {
  let bot: TestBot;
  const ids: Record<string, string> = {};

  async function event(eventType: 'trigger' | 'resolve', key: string, occurredAt?: string): Promise<string> {
    const body = { eventType, dedupKey: key, title: key, severity: 'critical', ...(occurredAt ? { occurredAt } : {}) };
    const res = await bot.post('/api/v1/events', body, KEYS.api);
    expect(res.status).toBeLessThan(300);
    return ((await res.json()) as { alertId: string }).alertId;
  }
  async function act(id: string, action: string, token: string): Promise<void> {
    expect((await bot.post(`/api/v1/alerts/${id}/${action}`, {}, token)).status).toBe(200);
  }

  beforeAll(async () => {
    // Tuesday 2026-11-24 10:03 in Shanghai; the source says the problem began at 10:00.
    bot = await startTestBot({ clock: new FakeClock('2026-11-24T02:03:00Z') });
    ids.x = await event('trigger', 'x', '2026-11-24T02:00:00Z'); // detect 180 s
    bot.clock.set('2026-11-24T02:08:00Z');
    await act(ids.x, 'claim', TOKENS.zhang); // claim 300 s
    bot.clock.set('2026-11-24T02:42:00Z');
    await event('resolve', 'x', '2026-11-24T10:40:00+08:00'); // ended 02:40Z: resolve 2400 s
    // No start from the source: detected on receipt.
    bot.clock.set('2026-11-24T03:00:00Z');
    ids.y = await event('trigger', 'y'); // detect 0
    bot.clock.set('2026-11-24T03:10:00Z');
    await act(ids.y, 'claim', TOKENS.li); // claim 600 s
    bot.clock.set('2026-11-24T03:30:00Z');
    await act(ids.y, 'resolve', TOKENS.li); // resolve 1800 s (a person: no source end)
    // Started 22:00 local, received 22:20: still open when the day ends.
    bot.clock.set('2026-11-24T14:20:00Z');
    ids.z = await event('trigger', 'z', '2026-11-24T22:00:00+08:00'); // detect 1200 s
    bot.clock.set('2026-11-25T01:00:00Z');
    await bot.analytics.recorder.settled();
  });
  afterAll(async () => bot?.stop());

  const day = 'from=2026-11-24&to=2026-11-25';
  const expected = { opened: 3, claimed: 2, resolved: 2, openAtEnd: 1, mttdSeconds: 460, mttdP90Seconds: 1200, mttaSeconds: 450, mttaP90Seconds: 600, mttrSeconds: 2100, mttrP90Seconds: 2400 };

  it('the figures equal the hand-computed ones, each with its definition', async () => {
    const body = (await (await bot.get(`/api/v1/analytics?by=team&${day}`, TOKENS.wang)).json()) as {
      rows: Array<Record<string, unknown>>;
      definitions: Record<string, string>;
    };
    expect(body.rows).toEqual([expect.objectContaining({ key: 'ops', ...expected })]);
    expect(Object.keys(body.definitions)).toEqual(['mttdSeconds', 'mttaSeconds', 'mttrSeconds']);
    expect(body.definitions.mttrSeconds).toMatch(/^time to resolve: from when the source says the problem started/);
    const csv = (await (await bot.get(`/api/v1/analytics?by=team&${day}&format=csv`, TOKENS.wang)).text()).replace(/^\uFEFF/, '').split('\r\n');
    expect(csv[0]).toMatch(/,mttaSeconds,mttaP90Seconds,mttrSeconds,mttrP90Seconds,mttdSeconds,mttdP90Seconds$/);
    expect(csv[1]).toMatch(/,450,600,2100,2400,460,1200$/);
  });

  it('facts written before migration 0010 are rewritten from their alerts, keeping the first claimer', async () => {
    const facts = bot.runtime.database.db.collection<{ _id: string } & Record<string, unknown>>('analyticsfacts');
    // As an older dutybot wrote them: time to resolve from the receipt, no source times.
    await facts.updateOne({ _id: ids.x! }, { $set: { secondsToResolve: 2340 }, $unset: { secondsToDetect: 1, sourceStartedAt: 1, sourceEndedAt: 1 } });
    await facts.insertOne({ _id: 'f'.repeat(24), openedAt: new Date('2020-01-01T00:00:00Z'), secondsToResolve: 60 });
    await sourceTimesInFacts.up(bot.runtime.database.db);
    await sourceTimesInFacts.up(bot.runtime.database.db); // twice is harmless
    expect(await facts.findOne({ _id: ids.x! })).toMatchObject({
      secondsToDetect: 180,
      secondsToResolve: 2400,
      sourceStartedAt: new Date('2026-11-24T02:00:00Z'),
      sourceEndedAt: new Date('2026-11-24T02:40:00Z'),
      claimedBy: 'zhang',
    });
    // Its alert is gone: no source start known, so the receipt is the start.
    expect(await facts.findOne({ _id: 'f'.repeat(24) })).toMatchObject({ secondsToDetect: 0, secondsToResolve: 60 });
    const body = (await (await bot.get(`/api/v1/analytics?by=team&${day}`, TOKENS.wang)).json()) as { rows: Array<Record<string, unknown>> };
    expect(body.rows[0]).toMatchObject(expected);
  });

  it('a rebuild from the stored alerts gives the same times (the source end is kept on the alert)', async () => {
    await bot.runtime.database.db.collection('analyticsfacts').deleteMany({});
    expect(await (await bot.post('/api/v1/analytics/rebuild', {}, TOKENS.zhang)).json()).toEqual({ rebuilt: 3 });
    const body = (await (await bot.get(`/api/v1/analytics?by=team&${day}`, TOKENS.wang)).json()) as { rows: Array<Record<string, unknown>> };
    expect(body.rows[0]).toMatchObject(expected);
  });
});
