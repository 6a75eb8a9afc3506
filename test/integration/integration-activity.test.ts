import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, startTestBot, type TestBot } from '../support/bot.js';
import { FakeClock } from '../support/clock.js';

describe('what each integration sent is counted for the console, and survives a restart', () => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
  });

  it('accepted events, rejected requests with the reason, and when last; a wrong key counts for no integration', async () => {
    const clock = new FakeClock(new Date('2026-12-01T02:00:00Z'));
    bot = await startTestBot({ clock });
    const batch = { status: 'firing', alerts: [1, 2, 3].map((i) => ({ status: 'firing', labels: { alertname: 'Down', instance: `web-${i}` }, annotations: {}, startsAt: '2026-12-01T01:59:00Z' })) };
    expect((await bot.post('/api/v1/webhooks/alertmanager', batch, KEYS.alertmanager)).status).toBe(202);
    clock.advance(60_000);
    expect((await bot.post('/api/v1/webhooks/alertmanager', '{"alerts": [', KEYS.alertmanager)).status).toBe(400);
    expect((await bot.post('/api/v1/webhooks/alertmanager', batch, 'not-a-key')).status).toBe(401);

    const seen = await bot.activity.all(['prometheus', 'rest']);
    expect(seen.get('prometheus')).toEqual({
      accepted: 3,
      rejected: 1,
      lastAcceptedAt: new Date('2026-12-01T02:00:00Z'),
      lastRejectedAt: new Date('2026-12-01T02:01:00Z'),
      lastRejection: expect.stringMatching(/^malformed JSON/),
    });
    expect(seen.get('rest')).toEqual({ accepted: 0, rejected: 0 });

    const { mongoUri } = bot;
    await bot.stop(); // writes what was counted
    bot = await startTestBot({ clock, mongoUri });
    clock.advance(60_000);
    expect((await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'k', title: 'Disk full' }, KEYS.api)).status).toBe(202);
    const after = await bot.activity.all(['prometheus', 'rest']);
    expect(after.get('prometheus')).toMatchObject({ accepted: 3, rejected: 1 });
    expect(after.get('rest')).toEqual({ accepted: 1, rejected: 0, lastAcceptedAt: new Date('2026-12-01T02:02:00Z') });
  });
});
