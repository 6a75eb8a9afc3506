import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/clock.js';
import { KEYS, startTestBot, type TestBot } from '../support/bot.js';

/**
 * The mute timer is a real Agenda job stored in the database (FerretDB here). The test's clock
 * starts an hour behind the wall, so a 30-minute mute has already ended by Agenda's (wall) clock:
 * the job runs at once, and the test waits for its effect, not for time.
 */
describe('a mute ends by itself through an Agenda job', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ jobs: true, clock: new FakeClock(new Date(Date.now() - 3_600_000)) });
  });
  afterAll(async () => bot.stop());

  it('mute 30 min from chat or REST → the job unmutes it, and a stale job changes nothing', async () => {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'cpu-9', title: 'CPU 99%', severity: 'critical' }, KEYS.api);
    const { alertId } = (await res.json()) as { alertId: string };
    const unmuted = bot.nextEvent('unmuted');
    const muted = await bot.chat.handle({
      kind: 'command',
      platform: 'slack',
      userId: 'U0ZHANG',
      channel: 'C0OPS',
      text: `静默 ${(await bot.runtime.alerts.get(alertId))!.shortId} 30分钟`,
      replyTo: { platform: 'slack', channel: 'C0OPS' },
    });
    expect(muted?.text).toMatch(/已静默/);
    const ev = await unmuted;
    expect(ev.entry.actor).toMatchObject({ kind: 'system', via: 'timer' });
    expect((await bot.runtime.alerts.get(alertId))!.mutedUntil).toBeUndefined();
    const jobs = await bot.runtime.database.db.collection('agendaJobs').find({ name: 'unmute-alert' }).toArray();
    expect(jobs).toHaveLength(1);
  });
});
