/**
 * Chat latency: from an alert's arrival to its `chat.postMessage` reaching a (fake) Slack, and
 * from a signed Claim click to the `chat.update` of that card. A steady rate (default 20/s) is
 * spread over enough channels that no channel exceeds Slack's one message a second, so the
 * figures contain no deliberate rate-limit waiting.
 *
 * Runs its own dutybot (real Bolt SDK, real card sender) against test/fakes/slack-api.ts on a
 * database of its own; imported dynamically by run.ts after LOG_LEVEL is set.
 */
import { SlackAdapter } from '../adapters/slack/adapter.js';
import { parseConfig } from '../src/config/load.js';
import { log } from '../src/log.js';
import { startDutybot } from '../src/start.js';
import { withDatabase } from '../src/store/provision.js';
import { FakeSlackApi } from '../test/fakes/slack-api.js';
import { blockActionsBody, FORM, signedSlackRequest } from '../test/fakes/slack-signing.js';
import type { Row } from './table.js';

const SECRET = 'bench-signing-secret-0123456789';

export interface ChatBenchOptions {
  serverUri: string;
  ratePerSecond: number;
  seconds: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runChatBench(opts: ChatBenchOptions): Promise<Row[]> {
  const channels = Math.max(1, Math.ceil(opts.ratePerSecond * 1.5));
  const teams = Array.from({ length: channels }, (_, i) => ({
    id: `t${i}`,
    name: `Team ${i}`,
    members: ['zhang'],
    channels: [{ platform: 'slack' as const, channel: `CBENCH${i}` }],
  }));
  const integrations = teams.map((t, i) => ({ name: `api${i}`, type: 'api' as const, key: `bench-chat-key-${i}-0123456789`, team: t.id }));
  const config = {
    ...parseConfig(
      JSON.stringify({ locale: 'en', integrations, members: [{ id: 'zhang', name: 'Zhang San', slack: 'UBENCH' }], teams }),
      {},
    ),
    generated: false,
  };
  const slack = await FakeSlackApi.start();
  const adapter = new SlackAdapter({ botToken: 'xoxb-bench', signingSecret: SECRET, apiUrl: slack.apiUrl, log });
  const bot = await startDutybot({ config, mongoUri: withDatabase(opts.serverUri, 'benchchat'), port: 0, host: '127.0.0.1', jobs: false, adapters: [adapter], log });
  try {
    const total = Math.round(opts.ratePerSecond * opts.seconds);
    const interval = 1000 / opts.ratePerSecond;

    // Arrival → chat.postMessage
    const sentAt = new Map<string, number>();
    const postLatency: number[] = [];
    const answerLatency: number[] = [];
    const posted = new Map<string, { channel: string; ts: string; alertId: string }>();
    const waits: Array<Promise<unknown>> = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + i * interval;
      const delay = due - performance.now();
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const key = `bench-${i}`;
      const n = i % channels;
      sentAt.set(key, performance.now());
      const arrived = slack.waitFor((c) => c.method === 'chat.postMessage' && String(c.args.text).includes(`(${key})`), 30_000).then((c) => {
        postLatency.push(performance.now() - sentAt.get(key)!);
        return c;
      });
      const answer = fetch(`${bot.url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${integrations[n]!.key}` },
        body: JSON.stringify({ eventType: 'trigger', dedupKey: key, title: `Bench alert (${key})`, severity: 'warning' }),
      }).then((r) => {
        answerLatency.push(performance.now() - sentAt.get(key)!);
        return r.json() as Promise<{ alertId: string }>;
      });
      waits.push(
        Promise.all([arrived, answer]).then(([call, a]) =>
          posted.set(key, { channel: String(call.args.channel), ts: String(call.response.ts), alertId: a.alertId }),
        ),
      );
    }
    await Promise.all(waits);
    // Let every channel's one-per-second window pass, so clicks wait for nothing but dutybot.
    await new Promise((r) => setTimeout(r, 1500));

    // Signed click → chat.update
    const clickLatency: number[] = [];
    const clicks: Array<Promise<unknown>> = [];
    const clickStart = performance.now();
    let i = 0;
    for (const card of posted.values()) {
      const due = clickStart + i++ * interval;
      const delay = due - performance.now();
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const t0 = performance.now();
      const updated = slack.waitFor((c) => c.method === 'chat.update' && c.args.ts === card.ts, 30_000);
      const body = blockActionsBody({ userId: 'UBENCH', channel: card.channel, messageTs: card.ts, actionId: 'dutybot:claim', value: card.alertId, blockId: `dutybot:${card.alertId}` });
      clicks.push(
        signedSlackRequest(`${bot.url}/slack/events`, SECRET, body, FORM).then(async () => {
          await updated;
          clickLatency.push(performance.now() - t0);
        }),
      );
    }
    await Promise.all(clicks);

    const row = (name: string, xs: number[]): Row => {
      const s = [...xs].sort((a, b) => a - b);
      return {
        scenario: name,
        rate: `${opts.ratePerSecond}/s`,
        samples: s.length,
        'p50 ms': Math.round(percentile(s, 50) * 10) / 10,
        'p99 ms': Math.round(percentile(s, 99) * 10) / 10,
        'max ms': Math.round((s.at(-1) ?? NaN) * 10) / 10,
      };
    };
    return [row('alert arrival → 202 answer', answerLatency), row('alert arrival → chat.postMessage', postLatency), row('signed click → chat.update', clickLatency)];
  } finally {
    await bot.stop();
    await slack.close();
  }
}
