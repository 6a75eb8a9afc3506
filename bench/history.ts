/**
 * `npm run bench -- --history`: does an operation cost more when many alerts are stored? For each
 * history size (default 0, 10,000 and 100,000 resolved alerts) a database of its own is seeded,
 * then one client runs each operation one at a time and the p50/p99 are printed side by side.
 *
 * The seeded alerts are what a long-lived install holds: resolved more than a day ago, so in the
 * archive (src/store/alert-archive.ts), each with its short id and its timeline document.
 * They are inserted with insertMany in big batches (not through dutybot, which would take hours).
 *
 *   BENCH_HISTORY_SIZES    comma-separated sizes (default 0,10000,100000)
 *   BENCH_HISTORY_SAMPLES  samples per operation and size (default 50)
 *
 * Imported dynamically by run.ts after LOG_LEVEL is set.
 */
import { ObjectId, type Db, type Document } from 'mongodb';
import { SlackAdapter } from '../adapters/slack/adapter.js';
import { parseConfig } from '../src/config/load.js';
import { log } from '../src/log.js';
import { startDutybot } from '../src/start.js';
import { withDatabase } from '../src/store/provision.js';
import { FakeSlackApi } from '../test/fakes/slack-api.js';
import { printTable, round, type Row } from './table.js';

const TOKEN = 'bench-history-token-0123456789';
const SEED_BATCH = 5000;
const OPS = ['new alert', 'repeat', 'claim', 'resolve', 'GET /alerts/:id', 'list open', 'card in chat'] as const;
type Op = (typeof OPS)[number];

export interface HistoryOptions {
  serverUri: string;
  sizes: number[];
  samples: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

/** Resolved alerts as migration 0003 and the archive job leave them, with short ids 1..n. */
async function seed(db: Db, n: number): Promise<number> {
  const t0 = performance.now();
  const base = Math.floor(Date.UTC(2025, 0, 1) / 1000);
  const actor = { kind: 'source', name: 'api0', via: 'api' };
  for (let from = 1; from <= n; from += SEED_BATCH) {
    const alerts: Document[] = [];
    const refs: Document[] = [];
    const timelines: Document[] = [];
    for (let shortId = from; shortId < Math.min(n + 1, from + SEED_BATCH); shortId++) {
      const _id = ObjectId.createFromTime(base + shortId * 60);
      const opened = new Date((base + shortId * 60) * 1000);
      const resolvedAt = new Date(opened.getTime() + 600_000);
      alerts.push({
        _id, shortId, integration: 'api0', source: 'api', application: 'bench', team: 't0', dedupKey: `old-${shortId}`,
        state: 'resolved', version: 3, title: `Old alert ${shortId}`, severity: 'warning', host: 'db-7', service: 'mysql',
        labels: [{ name: 'env', value: 'prod' }], links: [], count: 3, rev: 4, firstSeenAt: opened, lastSeenAt: opened,
        owner: { memberId: 'bencher', name: 'Bench Member', at: opened, via: 'rest' }, claimedAt: opened,
        resolvedAt, resolvedBy: actor, escalationLevel: 0, secondsToClaim: 0, secondsToResolve: 600,
      });
      refs.push({ _id: String(shortId), alertId: _id });
      timelines.push({ _id, entries: [{ at: opened, kind: 'opened', actor, text: `Old alert ${shortId}` }, { at: resolvedAt, kind: 'resolved', actor }] });
    }
    await db.collection('alertarchive').insertMany(alerts, { ordered: false });
    await db.collection('alertrefs').insertMany(refs, { ordered: false });
    await db.collection('timelines').insertMany(timelines, { ordered: false });
  }
  if (n) await db.collection('counters').updateOne({ _id: 'alert' } as never, { $set: { seq: n } }, { upsert: true });
  return performance.now() - t0;
}

async function measureSize(opts: HistoryOptions, size: number, slack: FakeSlackApi): Promise<{ times: Record<Op, number[]>; seedMs: number }> {
  const channels = opts.samples;
  const teams = Array.from({ length: channels }, (_, i) => ({
    id: `t${i}`,
    name: `Team ${i}`,
    members: ['bencher'],
    channels: [{ platform: 'slack' as const, channel: `CHIST${size}x${i}` }],
  }));
  const integrations = teams.map((t, i) => ({ name: `api${i}`, type: 'api' as const, key: `bench-history-key-${i}-0123456789`, team: t.id }));
  const config = {
    ...parseConfig(JSON.stringify({ locale: 'en', integrations, members: [{ id: 'bencher', name: 'Bench Member', slack: 'UHIST', apiToken: TOKEN }], teams }), {}),
    generated: false,
  };
  const adapter = new SlackAdapter({ botToken: 'xoxb-bench', signingSecret: 'bench-history-secret-0123456789', apiUrl: slack.apiUrl, log });
  const bot = await startDutybot({ config, mongoUri: withDatabase(opts.serverUri, `history${size}`), port: 0, host: '127.0.0.1', jobs: false, adapters: [adapter], log });
  const times = Object.fromEntries(OPS.map((o) => [o, [] as number[]])) as Record<Op, number[]>;
  try {
    process.stderr.write(`  seeding ${size} resolved alerts …\n`);
    const seedMs = await seed(bot.runtime.database.db, size);
    const timed = async <T>(op: Op, f: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const r = await f();
      times[op].push(performance.now() - t0);
      return r;
    };
    const call = async (method: string, path: string, auth: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const res = await fetch(`${bot.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return { status: res.status, json };
    };
    for (let i = 0; i < opts.samples; i++) {
      const key = `hist-${size}-${i}`;
      const event = { eventType: 'trigger', dedupKey: key, title: `History bench (${key})`, severity: 'warning' };
      const sent = performance.now();
      const card = slack.waitFor((c) => c.method === 'chat.postMessage' && String(c.args.text).includes(`(${key})`), 30_000);
      const opened = await timed('new alert', () => call('POST', '/api/v1/events', integrations[i]!.key, event));
      await card;
      times['card in chat'].push(performance.now() - sent);
      const id = String(opened.json.alertId);
      await timed('repeat', () => call('POST', '/api/v1/events', integrations[i]!.key, event));
      await timed('GET /alerts/:id', () => call('GET', `/api/v1/alerts/${id}`, TOKEN));
      await timed('claim', () => call('POST', `/api/v1/alerts/${id}/claim`, TOKEN, {}));
      await timed('list open', () => call('GET', '/api/v1/alerts?status=open&limit=50', TOKEN));
      await timed('resolve', () => call('POST', `/api/v1/alerts/${id}/resolve`, TOKEN, {}));
    }
    await bot.cards.idle();
    return { times, seedMs };
  } finally {
    await bot.stop();
  }
}

export async function runHistoryBench(opts: HistoryOptions): Promise<void> {
  const slack = await FakeSlackApi.start();
  const results: Array<{ size: number; times: Record<Op, number[]>; seedMs: number }> = [];
  try {
    for (const size of opts.sizes) {
      process.stderr.write(`running: history ${size} …\n`);
      results.push({ size, ...(await measureSize(opts, size, slack)) });
    }
  } finally {
    await slack.close();
  }
  const label = (n: number): string => (n >= 1000 ? `${n / 1000}k` : String(n));
  const first = results[0]!;
  const last = results.at(-1)!;
  const rows: Row[] = OPS.map((op) => {
    const row: Row = { operation: op };
    for (const r of results) {
      const s = [...r.times[op]].sort((a, b) => a - b);
      row[`${label(r.size)} p50 ms`] = round(percentile(s, 50), 1);
      row[`${label(r.size)} p99 ms`] = round(percentile(s, 99), 1);
    }
    if (results.length > 1) {
      const p50 = (r: typeof first): number => percentile([...r.times[op]].sort((a, b) => a - b), 50);
      row[`p50 ${label(last.size)}/${label(first.size)}`] = round(p50(last) / p50(first), 2);
    }
    return row;
  });
  printTable(rows, `Cost vs stored history (one client, one operation at a time, ${opts.samples} samples each; seeded alerts are archived resolved ones)`);
  for (const r of results) console.log(`  ${label(r.size)}: seeded in ${round(r.seedMs / 1000, 1)} s`);
}
