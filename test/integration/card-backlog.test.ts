import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import { CardStore } from '../../src/store/cards.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { freshDatabaseUri, KEYS, startTestBot, testConfig, testConfigInput } from '../support/bot.js';

/**
 * A channel far behind (alerts stored while dutybot had no chat, as after a kill -9 in a storm):
 * the first ten get cards of their own, and the rest fold into the channel's summary in one step.
 */
const config = () => {
  const input = testConfigInput();
  input.teams![0]!.channels = [{ platform: 'slack', channel: 'C0OPS' }];
  return testConfig(input);
};
const trigger = (dedupKey: string) => ({ eventType: 'trigger', dedupKey, title: `Backlog ${dedupKey}`, severity: 'warning' });

describe('a backlog of cards after a restart', () => {
  let slack: FakeSlackApi;
  const adapter = () => new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
  const mongoUri = freshDatabaseUri();
  beforeAll(async () => {
    slack = await FakeSlackApi.start();
  });
  afterAll(async () => slack.close());

  it('60 alerts stored while no chat ran: 10 cards of their own, and one summary that lists the other 50 once', async () => {
    const quiet = await startTestBot({ mongoUri, config: config() });
    for (let i = 0; i < 60; i++) expect((await quiet.post('/api/v1/events', trigger(`b-${i}`), KEYS.api)).status).toBe(202);
    await quiet.stop();

    const bot = await startTestBot({ mongoUri, config: config(), adapters: [adapter()] });
    await bot.flushCards();
    const cards = await new CardStore(bot.runtime.database.conn).Card.find({}).lean();
    const summaries = cards.filter((c) => c.kind === 'summary');
    expect(summaries).toHaveLength(1);
    expect(cards.filter((c) => c.kind === 'alert' && c.state === 'posted')).toHaveLength(10);
    expect(cards.filter((c) => c.kind === 'alert' && c.state === 'folded' && c.summaryId === summaries[0]!._id)).toHaveLength(50);
    const ids = summaries[0]!.alertIds!.map(String);
    expect(new Set(ids).size).toBe(50);
    // 10 cards and the summary, one post each; the summary shows all 50.
    expect(slack.callsTo('chat.postMessage')).toHaveLength(11);
    expect(slack.message('C0OPS', summaries[0]!.messageId!)?.text).toContain('50');
    await bot.stop();
  });

  it('stopped between the summary write and its alerts\' records: they fold again into the same summary, listed once, no card of their own', async () => {
    // The crash state: the summary lists five alerts whose records were never written.
    const setup = await startTestBot({ mongoUri, config: config() });
    const store = new CardStore(setup.runtime.database.conn);
    const folded = (await store.Card.find({ kind: 'alert', state: 'folded' }).lean()).slice(0, 5);
    await store.Card.deleteMany({ _id: { $in: folded.map((c) => c._id) } });
    await setup.stop();
    slack.reset();

    const bot = await startTestBot({ mongoUri, config: config(), adapters: [adapter()] });
    await bot.flushCards();
    const cards = await new CardStore(bot.runtime.database.conn).Card.find({}).lean();
    const summary = cards.find((c) => c.kind === 'summary')!;
    for (const c of folded) expect(cards.find((x) => x._id === c._id)).toMatchObject({ state: 'folded', summaryId: summary._id });
    expect(summary.alertIds!.map(String)).toHaveLength(50);
    expect(new Set(summary.alertIds!.map(String)).size).toBe(50);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
    await bot.stop();
  });
});
