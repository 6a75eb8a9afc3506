import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../../adapters/slack/adapter.js';
import { RATE_POLICIES } from '../../../src/bot/rate-policy.js';
import { log } from '../../../src/log.js';
import { FakeSlackApi, type SlackCall } from '../../fakes/slack-api.js';
import { KEYS, TOKENS, startTestBot, testConfig, testConfigInput, type TestBot } from '../../support/bot.js';

/**
 * Fault: the chat platform down for 10 minutes — 9½ minutes of HTTP 500, then 30 s of no
 * answer at all (the client times out) — while alerts open, are claimed and resolved. Time is the
 * test's fake clock (the sender's waits move with it); only the Slack client's request timeout is
 * real, shortened to 5 s. (A post that times out after the platform took it is posted again —
 * no chat platform takes an idempotency key — so the time-out is kept well above a slow answer.) After Slack returns: every card and every update is delivered, at
 * most one message a second per channel, and no card is posted twice.
 */
const CHANNELS = ['C0OPS', 'C0OPS2'];
const ALERTS = 30;

describe('fault: every chat platform down for 10 minutes', () => {
  let slack: FakeSlackApi;
  let bot: TestBot;
  /** Fake-clock time at which each recorded Slack call was first seen. */
  const seenAt = new Map<SlackCall, number>();
  const tag = () => {
    for (const c of slack.calls) if (!seenAt.has(c)) seenAt.set(c, bot.clock.now().getTime());
  };
  /** Lets the card sender run, moving the fake clock from one wait to the next, until `until`. */
  const runUntil = async (until: number | null) => {
    for (let i = 0; i < 100_000; i++) {
      await new Promise((r) => setImmediate(r));
      await bot.cards.settled();
      tag();
      if (until === null ? bot.cards.isIdle() : bot.clock.now().getTime() >= until) return;
      if (!bot.clock.advanceToNextSleeper()) {
        if (until === null) return;
        bot.clock.advance(until - bot.clock.now().getTime());
      }
    }
    throw new Error('card sender never settled');
  };

  beforeAll(async () => {
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.teams![0]!.channels = CHANNELS.map((channel) => ({ platform: 'slack' as const, channel }));
    const adapter = new SlackAdapter({ botToken: 'xoxb-test-token', signingSecret: 'secret', apiUrl: slack.apiUrl, log, requestTimeoutMs: 5_000 });
    bot = await startTestBot({ config: testConfig(input), adapters: [adapter] });
  });
  afterAll(async () => {
    await bot.stop();
    await slack.close();
  });

  it('after the outage every card and update arrives, within the rate limit, none twice', async () => {
    const start = bot.clock.now().getTime();
    slack.outage = 'http500';
    const ids: string[] = [];
    for (let i = 0; i < ALERTS; i++) {
      const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `down-${i}`, title: `Down ${i}`, severity: 'critical', host: `web-${i}` }, KEYS.api);
      ids.push(((await res.json()) as { alertId: string }).alertId);
    }
    await runUntil(start + 4 * 60_000);
    // Changes while Slack is down: claims, resolutions, repeats.
    for (const id of ids.slice(0, 5)) expect((await bot.post(`/api/v1/alerts/${id}/claim`, {}, TOKENS.zhang)).status).toBe(200);
    for (const id of ids.slice(5, 8)) expect((await bot.post(`/api/v1/alerts/${id}/resolve`, {}, TOKENS.li)).status).toBe(200);
    await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'down-9', title: 'Down 9', severity: 'critical' }, KEYS.api);
    await runUntil(start + 9.5 * 60_000);
    slack.outage = 'hang';
    await runUntil(start + 10 * 60_000);
    const failedDuringOutage = slack.calls.filter((c) => c.status === 500).length;
    slack.outage = undefined;
    await runUntil(null);

    const ok = slack.calls.filter((c) => c.status === 200 && (c.method === 'chat.postMessage' || c.method === 'chat.update'));
    const posts = ok.filter((c) => c.method === 'chat.postMessage');
    const cards = await bot.runtime.database.db.collection('cards').find({}).toArray();
    const withMessage = cards.filter((c) => typeof c.messageId === 'string');
    const alerts = await bot.runtime.database.db.collection('alerts').find({}).toArray();
    const rev = new Map(alerts.map((a) => [String(a._id), a.rev as number]));
    const behind = cards.filter((c) => c.kind === 'alert' && c.state === 'posted' && (c.renderedRev as number) < rev.get(String(c.alertId))!);
    // At most one message per second per channel, by the clock the sender runs on.
    let tooFast = 0;
    for (const ch of CHANNELS) {
      const times = ok.filter((c) => c.args.channel === ch).map((c) => seenAt.get(c)!).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! < RATE_POLICIES.slack.perMs) tooFast += 1;
    }
    const claimedShown = ids.slice(0, 5).flatMap((id) =>
      cards.filter((c) => c.kind === 'alert' && String(c.alertId) === id && c.messageId).map((c) => JSON.stringify(slack.message(c.channel as string, c.messageId as string))),
    );
    process.stdout.write(
      `[fault: chat down 10 min] ${failedDuringOutage} calls answered 500 during the outage; after it: ${posts.length} posts, ${ok.length - posts.length} edits; ` +
        `cards: ${cards.filter((c) => c.state === 'posted').length} posted, ${cards.filter((c) => c.state === 'folded').length} folded, ${withMessage.length} with a message; ` +
        `behind their alert ${behind.length}; sends closer than 1 s ${tooFast}\n`,
    );
    expect(failedDuringOutage).toBeGreaterThan(0);
    expect(posts.length).toBe(withMessage.length); // no card posted twice
    expect(cards.filter((c) => c.state === 'posting' || c.state === 'failed')).toEqual([]);
    // Every open alert is on a card in each channel (its own, or a line of the summary card).
    for (const a of alerts.filter((x) => x.state !== 'resolved'))
      for (const ch of CHANNELS) expect(cards.some((c) => c.kind === 'alert' && String(c.alertId) === String(a._id) && c.channel === ch)).toBe(true);
    expect(behind).toEqual([]);
    expect(claimedShown.length).toBeGreaterThan(0);
    for (const shown of claimedShown) expect(shown).toContain('张三');
    expect(tooFast).toBe(0);
  }, 300_000);
});
