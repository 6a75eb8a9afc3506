/**
 * `npm run bench:cards`: how fast the card sender catches up with a storm in one Slack channel.
 *
 *   live:    BENCH_ALERTS alerts from 32 senders while dutybot runs with Slack; then the time
 *            from the storm's last 2xx until every alert is on a card (its own or a summary line).
 *   restart: the same storm stored while no chat adapter runs (as after a kill), then dutybot
 *            started with Slack: the time its start-up resync takes to put every alert on a card.
 *
 * The fake Slack (test/fakes/slack-api.ts) answers at once; the real Bolt client talks to it, and
 * the card sender keeps to Slack's one message a second per channel. Database: the one the
 * project provisions (FerretDB on SQLite unless MONGODB_URI), in a directory of its own.
 */
process.env.LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ALERTS = Number(process.env.BENCH_ALERTS ?? 2000);
const SENDERS = 32;

async function main(): Promise<void> {
  const { log } = await import('../src/log.js');
  const { parseConfig } = await import('../src/config/load.js');
  const { startDutybot } = await import('../src/start.js');
  const { provisionDatabase, withDatabase } = await import('../src/store/provision.js');
  const { SlackAdapter } = await import('../adapters/slack/adapter.js');
  const { FakeSlackApi } = await import('../test/fakes/slack-api.js');
  const { KEYS, testConfigInput } = await import('../test/support/bot.js');
  const { storm } = await import('../test/support/storm.js');

  mkdirSync(resolve('.test-db'), { recursive: true });
  const dataDir = mkdtempSync(join(resolve('.test-db'), 'bench-cards-'));
  const db = await provisionDatabase({ dataDir, log });
  const input = testConfigInput();
  input.teams![0]!.channels = [{ platform: 'slack', channel: 'C0OPS' }];
  const config = { ...parseConfig(JSON.stringify(input), {}), generated: false };
  const slack = await FakeSlackApi.start();
  const slackAdapter = () => new SlackAdapter({ botToken: 'xoxb-bench', signingSecret: 'bench-signing-secret-0123456789', apiUrl: slack.apiUrl, log });
  const start = (name: string, withSlack: boolean) =>
    startDutybot({ config, mongoUri: withDatabase(db.uri, name), port: 0, host: '127.0.0.1', jobs: false, adapters: withSlack ? [slackAdapter()] : [], log });

  /** Every alert on a card and every summary posted: read from the database, as the fault test does. */
  const waitAll = async (dbName: string, t0: number): Promise<{ ms: number; own: number; folded: number; posts: number; updates: number }> => {
    const { MongoClient } = await import('mongodb');
    const c = await MongoClient.connect(withDatabase(db.uri, dbName));
    try {
      for (;;) {
        const cards = await c.db().collection('cards').find({}, { projection: { kind: 1, state: 1, messageId: 1 } }).toArray();
        const alertCards = cards.filter((x) => x.kind === 'alert');
        const done = alertCards.filter((x) => x.state === 'posted' || x.state === 'folded').length;
        if (done >= ALERTS && cards.filter((x) => x.kind === 'summary').every((x) => x.messageId)) {
          return {
            ms: Date.now() - t0,
            own: alertCards.filter((x) => x.state === 'posted').length,
            folded: alertCards.filter((x) => x.state === 'folded').length,
            posts: slack.callsTo('chat.postMessage').length,
            updates: slack.callsTo('chat.update').length,
          };
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      await c.close();
    }
  };

  try {
    console.log(`card sender catching up: ${ALERTS} alerts from ${SENDERS} senders, one Slack channel, ${db.kind}`);
    if (process.env.BENCH_CARDS_MODE !== 'restart') {
      const bot = await start('cardslive', true);
      const t0 = Date.now();
      await storm({ url: () => bot.url, key: KEYS.api, senders: SENDERS, alerts: ALERTS, prefix: 'live' });
      const stormMs = Date.now() - t0;
      const r = await waitAll('cardslive', Date.now());
      console.log(`live:    storm ${(stormMs / 1000).toFixed(1)} s; every alert on a card ${(r.ms / 1000).toFixed(1)} s after the last 2xx (${r.own} own cards, ${r.folded} folded; ${r.posts} posts, ${r.updates} edits)`);
      await bot.stop();
      slack.calls.length = 0;
    }
    if (process.env.BENCH_CARDS_MODE !== 'live') {
      const quiet = await start('cardsrestart', false);
      await storm({ url: () => quiet.url, key: KEYS.api, senders: SENDERS, alerts: ALERTS, prefix: 'restart' });
      await quiet.stop();
      const t0 = Date.now();
      const bot = await start('cardsrestart', true);
      const startMs = Date.now() - t0;
      const r = await waitAll('cardsrestart', t0);
      console.log(`restart: start ${(startMs / 1000).toFixed(1)} s; every alert on a card ${(r.ms / 1000).toFixed(1)} s after the start began (${r.own} own cards, ${r.folded} folded; ${r.posts} posts, ${r.updates} edits)`);
      await bot.stop();
    }
  } finally {
    await slack.close();
    await db.stop();
    if (!process.env.BENCH_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
