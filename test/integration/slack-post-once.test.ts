import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import { CardStore } from '../../src/store/cards.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { freshDatabaseUri, KEYS, startTestBot, testConfig, testConfigInput } from '../support/bot.js';

/**
 * The window of decision 0005 on Slack: a post that reached Slack while its answer never reached
 * us (a time-out, or dutybot killed in between). Every card goes out with its record's id in the
 * message metadata; before posting a card again, the sender looks for that id in the channel's
 * recent history (the real Bolt client against the fake, which keeps messages and their metadata).
 */
const config = () => {
  const input = testConfigInput();
  input.teams![0]!.channels = [{ platform: 'slack', channel: 'C0OPS' }];
  return testConfig(input);
};
const trigger = (dedupKey: string) => ({ eventType: 'trigger', dedupKey, title: `Disk full ${dedupKey}`, severity: 'critical' });

describe('Slack: a card whose post arrived unrecorded is not posted twice', () => {
  let slack: FakeSlackApi;
  // The client gives up after 300 ms; the fake takes the stalled post 800 ms later all the same.
  const adapter = () => new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log, requestTimeoutMs: 300 });
  const postsOf = (key: string) => slack.callsTo('chat.postMessage').filter((c) => String(c.args.text).includes(key));
  beforeAll(async () => {
    slack = await FakeSlackApi.start();
  });
  afterAll(async () => slack.close());

  it('a post that timed out after Slack took it is found in the history and edited, not posted again', async () => {
    slack.reset();
    const bot = await startTestBot({ config: config(), adapters: [adapter()] });
    slack.stallNext('chat.postMessage', 800);
    expect((await bot.post('/api/v1/events', trigger('timeout-1'), KEYS.api)).status).toBe(202);
    await slack.waitFor((c) => c.method === 'chat.postMessage');
    await bot.flushCards();

    expect(postsOf('timeout-1')).toHaveLength(1);
    expect(postsOf('timeout-1')[0]!.args.metadata).toMatchObject({ event_type: 'dutybot_card', event_payload: { card: expect.stringMatching(/^a\|/) } });
    expect(slack.callsTo('conversations.history')[0]!.args).toMatchObject({ channel: 'C0OPS', include_all_metadata: 'true' });
    const messages = slack.messages.get('C0OPS')!;
    expect(messages).toHaveLength(1);
    const [card] = await new CardStore(bot.runtime.database.conn).Card.find({}).lean();
    expect(card).toMatchObject({ state: 'posted', messageId: messages[0]!.ts });
    // What it shows is brought to the latest state by an edit.
    expect(slack.callsTo('chat.update').map((c) => c.args.ts)).toEqual([messages[0]!.ts]);
    await bot.stop();
  });

  it('a card left "posting" by a stopped dutybot whose post reached Slack is recorded by the next start, not posted again', async () => {
    slack.reset();
    const mongoUri = freshDatabaseUri();
    const first = await startTestBot({ mongoUri, config: config(), adapters: [adapter()] });
    slack.stallNext('chat.postMessage', 800);
    expect((await first.post('/api/v1/events', trigger('restart-1'), KEYS.api)).status).toBe(202);
    // Slack takes the post after the client gave up; dutybot stops while waiting to try again.
    await slack.waitFor((c) => c.method === 'chat.postMessage');
    await first.cards.settled();
    expect(await new CardStore(first.runtime.database.conn).Card.find({}).lean()).toMatchObject([{ state: 'posting' }]);
    await first.stop();

    const second = await startTestBot({ mongoUri, config: config(), adapters: [adapter()] });
    await second.flushCards();
    expect(postsOf('restart-1')).toHaveLength(1);
    expect(slack.messages.get('C0OPS')).toHaveLength(1);
    const [card] = await new CardStore(second.runtime.database.conn).Card.find({}).lean();
    expect(card).toMatchObject({ state: 'posted', messageId: slack.messages.get('C0OPS')![0]!.ts });
    await second.stop();
  });

  it('without the history scope it cannot tell, and posts again (at least once)', async () => {
    slack.reset();
    const bot = await startTestBot({ config: config(), adapters: [adapter()] });
    slack.stallNext('chat.postMessage', 800);
    slack.failNext('conversations.history', 'missing_scope');
    expect((await bot.post('/api/v1/events', trigger('scope-1'), KEYS.api)).status).toBe(202);
    await slack.waitFor((c) => c.method === 'chat.postMessage');
    await bot.flushCards();
    expect(postsOf('scope-1')).toHaveLength(2);
    const [card] = await new CardStore(bot.runtime.database.conn).Card.find({}).lean();
    expect(card).toMatchObject({ state: 'posted', messageId: slack.messages.get('C0OPS')![1]!.ts });
    await bot.stop();
  });
});
