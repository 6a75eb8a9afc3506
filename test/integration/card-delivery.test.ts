import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import { CardStore } from '../../src/store/cards.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { freshDatabaseUri, KEYS, startTestBot, testConfig, testConfigInput } from '../support/bot.js';

const config = () => {
  const input = testConfigInput();
  input.teams![0]!.channels = [{ platform: 'slack', channel: 'C0OPS' }];
  return testConfig(input);
};
const trigger = (dedupKey: string) => ({ eventType: 'trigger', dedupKey, title: `Redis down ${dedupKey}`, severity: 'critical' });

describe('card delivery survives restarts and outages', () => {
  let slack: FakeSlackApi;
  const adapter = () => new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
  beforeAll(async () => {
    slack = await FakeSlackApi.start();
  });
  afterAll(async () => slack.close());

  it('an alert stored before a crash gets its card after the restart, exactly once', async () => {
    const mongoUri = freshDatabaseUri();
    // dutybot "crashes" after storing the alert and before any card went out: here it has no
    // chat adapter at all, which leaves the database in exactly that state.
    const first = await startTestBot({ mongoUri, config: config() });
    expect((await first.post('/api/v1/events', trigger('redis-1'), KEYS.api)).status).toBe(202);
    await first.stop();

    // A card that was being posted when the process died is in `posting`: it is posted again.
    const second = await startTestBot({ mongoUri, config: config(), adapters: [adapter()] });
    await second.flushCards();
    expect(slack.callsTo('chat.postMessage').filter((c) => String(c.args.text).includes('redis-1'))).toHaveLength(1);
    await second.stop();

    const third = await startTestBot({ mongoUri, config: config(), adapters: [adapter()] });
    await third.flushCards();
    expect(slack.callsTo('chat.postMessage').filter((c) => String(c.args.text).includes('redis-1'))).toHaveLength(1);
    const cards = await new CardStore(third.runtime.database.conn).Card.find({}).lean();
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ state: 'posted', platform: 'slack', channel: 'C0OPS' });
    await third.stop();
  });

  it('while Slack fails, ingestion goes on; the cards go out when it is back', async () => {
    slack.reset();
    const bot = await startTestBot({ config: config(), adapters: [adapter()] });
    slack.failNext('chat.postMessage', 'service_unavailable');
    slack.failNext('chat.postMessage', 'service_unavailable');
    for (const k of ['a', 'b', 'c']) expect((await bot.post('/api/v1/events', trigger(`outage-${k}`), KEYS.api)).status).toBe(202);
    await bot.flushCards();
    const delivered = (slack.messages.get('C0OPS') ?? []).map((m) => String(m.text));
    expect(delivered.filter((t) => t.includes('outage-'))).toHaveLength(3);
    expect(delivered.findIndex((t) => t.includes('outage-a'))).toBeLessThan(delivered.findIndex((t) => t.includes('outage-c')));
    await bot.stop();
  });
});
